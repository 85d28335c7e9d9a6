-- CreateTable
CREATE TABLE "StaffBinding" (
    "id" SERIAL NOT NULL,
    "staffId" INTEGER NOT NULL,
    "platform" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StaffBinding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BindingCode" (
    "id" SERIAL NOT NULL,
    "codeHash" TEXT NOT NULL,
    "staffId" INTEGER NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BindingCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboundMessage" (
    "id" SERIAL NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "platformMessageId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboundMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BotFormState" (
    "key" TEXT NOT NULL,
    "form" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "BotFormState_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "StaffBinding_staffId_idx" ON "StaffBinding"("staffId");

-- CreateIndex
CREATE UNIQUE INDEX "StaffBinding_platform_externalId_key" ON "StaffBinding"("platform", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "BindingCode_codeHash_key" ON "BindingCode"("codeHash");

-- CreateIndex
CREATE INDEX "BindingCode_staffId_idx" ON "BindingCode"("staffId");

-- CreateIndex
CREATE UNIQUE INDEX "OutboundMessage_dedupeKey_key" ON "OutboundMessage"("dedupeKey");

-- CreateIndex
CREATE INDEX "BotFormState_expiresAt_idx" ON "BotFormState"("expiresAt");
