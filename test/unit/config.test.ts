import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config.js';

describe('configuration of the chat fronts', () => {
  it('has no chat front by default', () => {
    const c = loadConfig({});
    expect(c.feishu).toBeUndefined();
    expect(c.telegram).toBeUndefined();
    expect(c.deliveryIntervalMs).toBe(2000);
  });

  it('refuses to start a Feishu webhook without an encrypt key or verification token, in Chinese', () => {
    const base = { FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's' };
    expect(() => loadConfig(base)).toThrow(ConfigError);
    expect(() => loadConfig(base)).toThrow(/FEISHU_ENCRYPT_KEY/);
    expect(() => loadConfig({ ...base, FEISHU_ENCRYPT_KEY: 'k' })).toThrow(/FEISHU_VERIFICATION_TOKEN/);
    expect(() => loadConfig({ FEISHU_APP_ID: 'cli_x', FEISHU_ENCRYPT_KEY: 'k', FEISHU_VERIFICATION_TOKEN: 't' })).toThrow(/FEISHU_APP_SECRET/);
    const ok = loadConfig({ ...base, FEISHU_ENCRYPT_KEY: 'k', FEISHU_VERIFICATION_TOKEN: 't' });
    expect(ok.feishu).toMatchObject({ appId: 'cli_x', mode: 'webhook', domain: 'feishu' });
  });

  it('treats empty variables as unset (compose passes them empty)', () => {
    const c = loadConfig({ FEISHU_APP_ID: '', TELEGRAM_BOT_TOKEN: '', TELEGRAM_WEBHOOK_SECRET: '' });
    expect(c.feishu).toBeUndefined();
    expect(c.telegram).toBeUndefined();
  });

  it('lets the long-connection mode run without webhook secrets', () => {
    const c = loadConfig({ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's', FEISHU_MODE: 'ws' });
    expect(c.feishu).toMatchObject({ mode: 'ws', encryptKey: undefined });
  });

  it('needs a secret for a Telegram webhook, and polls by default', () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '1:x' }).telegram).toMatchObject({ mode: 'polling' });
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: '1:x', TELEGRAM_MODE: 'webhook' })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: '1:x', TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: 'has space' })).toThrow(ConfigError);
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '1:x', TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: 'ok_secret-1' }).telegram).toMatchObject({ mode: 'webhook', webhookSecret: 'ok_secret-1' });
  });
});
