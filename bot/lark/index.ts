export { registerFeishuWebhook, FEISHU_MAX_SKEW_MS, type FeishuWebhook, type FeishuWebhookOptions } from './webhook.js';
export { createFeishuSender, feishuUuid, FeishuApiError, type FeishuSender, type FeishuSenderOptions } from './sender.js';
export { buildCard, toCardValue, fromCardValue, type CardButtonValue } from './cards.js';
export { startFeishuLongConnection, type FeishuLongConnection, type FeishuLongConnectionOptions } from './long-connection.js';
export { feishuEventHandlers } from './webhook.js';
