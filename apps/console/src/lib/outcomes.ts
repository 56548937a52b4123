import type { Language } from './i18n';

/** What the console needs of a push-log entry (the API's PushDto). */
export interface PushLike {
  type: number | null;
  outcome: 'applied' | 'stale' | 'archived' | 'ignored';
  orderedBy: 'source' | 'received-no-source-time' | 'received-source-time-ahead';
  phone: string | null;
}

const ORDER: Record<Language, Record<PushLike['orderedBy'], string>> = {
  en: {
    source: 'ordered by its own time (update_time, else create_time)',
    'received-no-source-time': 'ordered by when it was received, since it carried no usable time',
    'received-source-time-ahead': 'ordered by when it was received, since its own time was ahead of the clock',
  },
  zh: {
    source: '按其自身时间排序（update_time，否则 create_time）',
    'received-no-source-time': '因没有可用时间，按接收时间排序',
    'received-source-time-ahead': '因其自身时间超前于时钟，按接收时间排序',
  },
};

/**
 * A push's outcome in words, the way the archive's rules decided it (libs/health-archive:
 * authorization-rules.ts): what an operator asks when a person says "my reading never arrived".
 */
export function explainPush(push: PushLike, language: Language): string {
  const zh = language === 'zh';
  const order = ORDER[language][push.orderedBy];
  const change = push.type === 2 ? (zh ? '授权' : 'authorization') : zh ? '取消授权' : 'cancellation';
  switch (push.outcome) {
    case 'applied':
      return zh
        ? `已生效：这条${change}推送改变了该用户的授权状态（${order}）。`
        : `Applied: this ${change} changed the person's authorization (${order}).`;
    case 'stale':
      return zh
        ? `过期：该用户已有一条更新的变更，这条${change}推送早于它，因此只记录、未改变任何状态（${order}）。`
        : `Stale: older than the last change already applied for this person, so it was logged and changed nothing (${order}).`;
    case 'archived':
      return zh ? '已归档：测量数据已保存，并作为 measurement.archived 事件投递。' : 'Archived: the measurement was stored and handed on as a measurement.archived event.';
    case 'ignored':
      if (push.type === 1)
        return zh
          ? '已拒收：该测量数据所属的 Viatom 账号已知，但其下没有仍在授权中的用户（授权已撤销），因此数据未保存；日志只保留不含 data 的消息。'
          : 'Refused: the Viatom account of this measurement is known, but none of its people is still authorized (consent was withdrawn), so its data was not kept; the log keeps the message without its data.';
      return zh
        ? `已忽略：类型 ${push.type ?? '（无法读取）'} 不是 health-bridge 处理的推送类型（1、2、3），按接收原样记录。`
        : `Ignored: type ${push.type ?? '(unreadable)'} is not one health-bridge acts on (1, 2, 3); it was logged as received.`;
  }
}
