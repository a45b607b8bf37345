// Boots the H5 wallet: Pinia, the hash router, global styles (Vant's function-API styles are not auto-imported).
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import 'vant/es/toast/style';
import 'vant/es/dialog/style';
import App from './App.vue';
import { startEntryEarly } from './composables/use-entry.ts';
import { createAppRouter } from './router.ts';
import './styles/global.css';

const router = createAppRouter();
const app = createApp(App).use(createPinia()).use(router);
// A deep link's session exchange starts now, beside the entry page's chunk and the mount, not from the mounted page.
startEntryEarly(router);
// Mounted once the first route's page component has loaded (index.html preloads the entry page's chunk): the app
// renders the page in one pass, in a task of its own after the scripts' evaluation, while index.html's shell shows.
void router.isReady().then(
  () => app.mount('#app'),
  () => app.mount('#app'),
);
