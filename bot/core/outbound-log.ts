// OutboundMessage: what was sent under which dedupe key, so a retried send
// finds the message it already posted instead of posting again.
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { ChatRef, MessageRef } from './types.js';

export async function findOutbound(prisma: PrismaClient, dedupeKey: string, chat: ChatRef): Promise<MessageRef | undefined> {
  const row = await prisma.outboundMessage.findUnique({ where: { dedupeKey } });
  return row ? { chat, messageId: row.platformMessageId } : undefined;
}

export async function recordOutbound(prisma: PrismaClient, dedupeKey: string, ref: MessageRef): Promise<void> {
  await prisma.outboundMessage.createMany({
    data: [{ dedupeKey, platform: ref.chat.platform, chatId: ref.chat.id, platformMessageId: ref.messageId }],
    skipDuplicates: true,
  });
}
