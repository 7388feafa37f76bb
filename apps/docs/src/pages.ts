/** A page of the site: its title and the file name under its section (without `.md`). */
export interface PageEntry {
  title: string;
  slug: string;
}

/** The guides, one per lecture topic, in reading order (the sidebar and the tests read this list). */
export const guides: PageEntry[] = [
  { title: 'Recurrent networks and BPTT', slug: 'recurrent-networks' },
  { title: 'Vanishing and exploding gradients', slug: 'gradients' },
  { title: 'LSTM and GRU gates', slug: 'gates' },
  { title: 'Deep and bidirectional networks', slug: 'deep-bidirectional' },
  { title: 'Language models and sampling', slug: 'language-models' },
  { title: 'Sentence classification and tagging', slug: 'classification' },
  { title: 'Truncated BPTT', slug: 'truncated-bptt' },
  { title: 'Sequence to sequence and attention', slug: 'seq2seq-attention' },
  { title: 'Recursive networks over trees', slug: 'trees' },
  { title: 'Weights to and from PyTorch', slug: 'pytorch' },
  { title: 'The command line', slug: 'cli' },
  { title: 'Speed', slug: 'speed' },
];

/** The live pages: each trains a model in a Web Worker. */
export const livePages: PageEntry[] = [
  { title: 'A character model', slug: 'char-model' },
  { title: 'Cell activations', slug: 'cells' },
  { title: 'Vanishing gradients', slug: 'vanishing' },
  { title: 'Attention', slug: 'attention' },
  { title: 'Sentiment trees', slug: 'trees' },
  { title: 'Sentence classes', slug: 'sentences' },
];
