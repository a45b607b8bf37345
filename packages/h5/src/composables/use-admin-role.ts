// The signed-in admin's role, read when a page mounts (`GET /api/admin/session`): pages show money actions to finance
// only, operations (立即对账) to operator and finance (the BFF refuses them to the other roles anyway, ZF0261).
import { computed, onMounted, ref } from 'vue';
import { adminApi, type AdminMe } from '@/api/admin-client.ts';

export function useAdminRole() {
  const me = ref<AdminMe | null>(null);
  onMounted(() => {
    adminApi
      .me()
      .then((m) => {
        me.value = m;
      })
      .catch(() => undefined);
  });
  return {
    me,
    isFinance: computed(() => me.value?.role === 'finance'),
    canOperate: computed(() => me.value?.role === 'finance' || me.value?.role === 'operator'),
  };
}
