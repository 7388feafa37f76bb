export { NO_LABEL, treeFromParents, heights, leafWords, preorder, numChildren, type Tree } from './tree.js';
export { parseTree, parseTrees } from './parse.js';
export { toBracketString } from './format.js';
export { binarize, treeFromTokens, type BinarizeMode } from './binarize.js';
export {
  levelSchedule, childListSchedule,
  type WordIds, type LevelSchedule, type ChildListSchedule, type BinaryLevel, type ChildListLevel, type ScheduleLeaves,
} from './schedule.js';
export { leafWordCounts, unkReplacement, type UniformSource } from './unk-replacement.js';
