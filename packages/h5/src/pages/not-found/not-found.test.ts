// The not-found page: its own title, the way to the records and back to the partner, centred.
import { describe, expect, it } from 'vitest';
import { mockApi } from '@/test-utils/fetch-mock.ts';
import { mountPage } from '@/test-utils/mount-page.ts';

describe('not-found page', () => {
  it('shows its message with 查看支付记录 and 完成 in a centred column', async () => {
    mockApi();
    const { wrapper } = await mountPage('/pages/nope/nope');
    expect(wrapper.get('.van-nav-bar__title').text()).toBe('页面不存在');
    expect(wrapper.get('[data-test="not-found"]').text()).toContain('页面不存在或链接已失效');
    const actions = wrapper.get('.not-found__actions');
    expect(actions.find('[data-test="not-found-orders"]').exists()).toBe(true);
    expect(actions.get('[data-test="leave"]').text()).toBe('完成');
  });
});
