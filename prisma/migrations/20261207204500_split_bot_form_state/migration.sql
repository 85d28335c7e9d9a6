-- Issue 16 (typed state): "BotFormState" was four things told apart by key prefix. Each gets a table of
-- its own with typed columns, existing rows move over, and "BotFormState" goes:
--   `<platform>:<chatId>:<senderId>`   a chat form in progress        -> "ChatFormState"
--   `console-session:<sha256>`         a console session (data.staffId) -> "ConsoleSession"
--   `console-login:<sha256>`           a one-time login token           -> "ConsoleLoginToken"
--   `console-msg:<uuid>`               a console log entry's body        -> "ConsoleMessage"
-- Tokens stay stored as SHA-256 hashes (the hash moves, the token was never stored). Expired rows move
-- too (a chat form past its TTL still gets its "expired" answer). A row of none of these sorts makes the
-- whole migration fail, naming its key, rather than be lost.

-- CreateTable
CREATE TABLE "ChatFormState" (
    "platform" "ChatPlatform" NOT NULL,
    "chatId" TEXT NOT NULL,
    "senderId" TEXT NOT NULL,
    "form" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "lastEventId" TEXT,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ChatFormState_pkey" PRIMARY KEY ("platform","chatId","senderId")
);

-- CreateTable
CREATE TABLE "ConsoleSession" (
    "tokenHash" TEXT NOT NULL,
    "staffId" INTEGER NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsoleSession_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateTable
CREATE TABLE "ConsoleLoginToken" (
    "tokenHash" TEXT NOT NULL,
    "staffId" INTEGER NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsoleLoginToken_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateTable
CREATE TABLE "ConsoleMessage" (
    "id" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "fromName" TEXT,
    "fromStaffId" INTEGER,
    "message" JSONB NOT NULL,
    "fileName" TEXT,
    "fileNotificationId" INTEGER,
    "fileIndex" INTEGER,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ConsoleMessage_pkey" PRIMARY KEY ("id")
);

-- Every row must be of one of the four sorts.
DO $$
DECLARE
  stray TEXT;
BEGIN
  SELECT "key" INTO stray FROM "BotFormState"
  WHERE "key" NOT LIKE 'console-session:%'
    AND "key" NOT LIKE 'console-login:%'
    AND "key" NOT LIKE 'console-msg:%'
    AND "key" !~ '^(feishu|telegram|console):.*:'
  ORDER BY "key" LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'BotFormState row "%" is neither a chat form nor a console session, login token or message: move or delete it, then migrate again', stray;
  END IF;
END $$;

-- Console sessions: data = { staffId }; never updated, so updatedAt is when it was opened.
INSERT INTO "ConsoleSession" ("tokenHash", "staffId", "expiresAt", "createdAt")
SELECT substr("key", length('console-session:') + 1), ("data"->>'staffId')::INTEGER, "expiresAt", "updatedAt"
FROM "BotFormState" WHERE "key" LIKE 'console-session:%';

-- Login tokens: data = { staffId }.
INSERT INTO "ConsoleLoginToken" ("tokenHash", "staffId", "expiresAt", "createdAt")
SELECT substr("key", length('console-login:') + 1), ("data"->>'staffId')::INTEGER, "expiresAt", "updatedAt"
FROM "BotFormState" WHERE "key" LIKE 'console-login:%';

-- Console log entries: data = { chatId, from?, fromId?, message, file?: { fileName, notificationId, index }, at }.
INSERT INTO "ConsoleMessage" ("id", "chatId", "fromName", "fromStaffId", "message", "fileName", "fileNotificationId", "fileIndex", "at", "expiresAt")
SELECT substr("key", length('console-msg:') + 1),
       "data"->>'chatId',
       "data"->>'from',
       ("data"->>'fromId')::INTEGER,
       "data"->'message',
       "data"->'file'->>'fileName',
       ("data"->'file'->>'notificationId')::INTEGER,
       ("data"->'file'->>'index')::INTEGER,
       COALESCE(("data"->>'at')::TIMESTAMPTZ, "updatedAt"),
       "expiresAt"
FROM "BotFormState" WHERE "key" LIKE 'console-msg:%';

-- Chat forms: key `<platform>:<chatId>:<senderId>`. A chat id may hold ':' (the console's `group:<id>`,
-- `private:<id>`), a sender id only on the console (`staff:<id>`); Feishu and Telegram ids hold none.
-- The event mark `__event` of the answers becomes "lastEventId".
INSERT INTO "ChatFormState" ("platform", "chatId", "senderId", "form", "step", "data", "lastEventId", "expiresAt", "updatedAt")
SELECT p.platform::"ChatPlatform",
       substr(p."key", length(p.platform) + 2, length(p."key") - length(p.platform) - length(p.sender) - 2),
       p.sender,
       p."form", p."step", p."data" - '__event', p."data"->>'__event', p."expiresAt", p."updatedAt"
FROM (
  SELECT f.*, split_part(f."key", ':', 1) AS platform,
         CASE WHEN f."key" ~ '^console:.*:staff:[^:]*$' THEN substring(f."key" FROM ':(staff:[^:]*)$')
              ELSE substring(f."key" FROM ':([^:]*)$') END AS sender
  FROM "BotFormState" f
  WHERE f."key" ~ '^(feishu|telegram|console):.*:'
) p;

-- DropTable
DROP TABLE "BotFormState";

-- CreateIndex
CREATE INDEX "ChatFormState_expiresAt_idx" ON "ChatFormState"("expiresAt");

-- CreateIndex
CREATE INDEX "ConsoleSession_staffId_idx" ON "ConsoleSession"("staffId");

-- CreateIndex
CREATE INDEX "ConsoleSession_expiresAt_idx" ON "ConsoleSession"("expiresAt");

-- CreateIndex
CREATE INDEX "ConsoleLoginToken_expiresAt_idx" ON "ConsoleLoginToken"("expiresAt");

-- CreateIndex
CREATE INDEX "ConsoleMessage_chatId_idx" ON "ConsoleMessage"("chatId");

-- CreateIndex
CREATE INDEX "ConsoleMessage_expiresAt_idx" ON "ConsoleMessage"("expiresAt");
