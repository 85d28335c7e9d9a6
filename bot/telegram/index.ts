export { createTelegramBot, startTelegramPolling, type TelegramBot, type TelegramBotOptions } from './bot.js';
export { registerTelegramWebhook, type TelegramWebhookOptions } from './webhook.js';
export { createTelegramSender, renderText } from './sender.js';
export { encodeCallbackData, decodeCallbackData, MAX_CALLBACK_DATA_BYTES } from './callback-data.js';
