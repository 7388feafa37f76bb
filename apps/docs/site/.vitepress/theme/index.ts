import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import 'katex/dist/katex.min.css';
import './custom.css';
import AttentionPage from './components/AttentionPage.vue';
import CellsPage from './components/CellsPage.vue';
import CharModelPage from './components/CharModelPage.vue';
import SentencePage from './components/SentencePage.vue';
import TreesPage from './components/TreesPage.vue';
import VanishingPage from './components/VanishingPage.vue';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('CharModelPage', CharModelPage);
    app.component('CellsPage', CellsPage);
    app.component('VanishingPage', VanishingPage);
    app.component('AttentionPage', AttentionPage);
    app.component('TreesPage', TreesPage);
    app.component('SentencePage', SentencePage);
  },
} satisfies Theme;
