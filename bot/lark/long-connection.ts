// Feishu long-connection mode (长连接, WSClient): the app opens an outbound
// WebSocket to Feishu, so no public URL is needed. The connection is
// authenticated by the app's credentials, so there is no signature to check;
// events are de-duplicated by id in the core as in webhook mode.
import * as lark from '@larksuiteoapi/node-sdk';

import type { BotCore } from '../core/bot-core.js';
import type { OutboundPort } from '../core/types.js';
import { feishuEventHandlers } from './webhook.js';

export interface FeishuLongConnectionOptions {
  appId: string;
  appSecret: string;
  domain?: lark.Domain | string;
  core: BotCore;
  out: OutboundPort;
  onError?: (err: unknown) => void;
}

export interface FeishuLongConnection {
  close(): void;
}

export function startFeishuLongConnection(options: FeishuLongConnectionOptions): FeishuLongConnection {
  const onError = options.onError ?? ((err) => console.error('feishu long connection:', err));
  const handlers = feishuEventHandlers(options.core, options.out);
  const wrapped = Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      async (data: never) => {
        try {
          const { body, after } = await (handler as (d: never) => Promise<{ body: unknown; after?: () => Promise<void> }>)(data);
          if (after) setImmediate(() => void after().catch(onError));
          return body;
        } catch (err) {
          onError(err);
          throw err;
        }
      },
    ]),
  );
  const dispatcher = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error }).register(wrapped as never);
  const ws = new lark.WSClient({
    appId: options.appId,
    appSecret: options.appSecret,
    domain: options.domain ?? lark.Domain.Feishu,
    loggerLevel: lark.LoggerLevel.warn,
  });
  void ws.start({ eventDispatcher: dispatcher });
  return { close: () => ws.close() };
}
