import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import 'katex/dist/katex.min.css';
import './custom.css';
import CharModelPage from './components/CharModelPage.vue';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('CharModelPage', CharModelPage);
  },
} satisfies Theme;
