// Boots the H5 wallet: Pinia, the hash router, global styles (Vant's function-API styles are not auto-imported).
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import 'vant/es/toast/style';
import 'vant/es/dialog/style';
import App from './App.vue';
import { createAppRouter } from './router.ts';
import './styles/global.css';

createApp(App).use(createPinia()).use(createAppRouter()).mount('#app');
