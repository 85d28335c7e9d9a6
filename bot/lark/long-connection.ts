// Feishu long-connection mode (长连接, WSClient): the app opens an outbound
// WebSocket to Feishu, so no public URL is needed. The connection is
// authenticated by the app's credentials, so there is no signature to check;
// events are recorded in the inbox and processed from it, as in webhook mode.
import * as lark from '@larksuiteoapi/node-sdk';

import type { BotCore } from '../core/bot-core.js';
import type { InboxProcessor } from '../core/inbox-processor.js';
import type { OutboundPort } from '../core/types.js';
import { feishuEventHandlers, ownInbox } from './webhook.js';
import { log } from '../../infra/logger.js';

export interface FeishuLongConnectionOptions {
  appId: string;
  appSecret: string;
  domain?: lark.Domain | string;
  core: BotCore;
  out: OutboundPort;
  /** The inbox events are recorded in (default: one of its own, delivering through `out`). */
  inbox?: InboxProcessor;
  onError?: (err: unknown) => void;
}

export interface FeishuLongConnection {
  close(): void;
}

export function startFeishuLongConnection(options: FeishuLongConnectionOptions): FeishuLongConnection {
  const onError = options.onError ?? ((err) => log('feishu-long-connection').error({ err }, '飞书长连接事件处理出错'));
  const inbox = options.inbox ?? ownInbox(options.core, 'feishu', options.out, onError);
  const handlers = feishuEventHandlers((event) => inbox.record(event));
  const wrapped = Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      async (data: never) => {
        try {
          const { body } = await (handler as (d: never) => Promise<{ body: unknown }>)(data);
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
  return {
    close: () => {
      ws.close();
      if (!options.inbox) void inbox.stop();
    },
  };
}
