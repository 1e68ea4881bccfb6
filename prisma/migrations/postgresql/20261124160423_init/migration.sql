-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('learner', 'instructor', 'admin');

-- CreateEnum
CREATE TYPE "Protocol" AS ENUM ('ssh', 'rdp', 'vnc');

-- CreateEnum
CREATE TYPE "LabState" AS ENUM ('provisioning', 'ready', 'stopped', 'torn_down');

-- CreateEnum
CREATE TYPE "CredentialKind" AS ENUM ('ssh_private_key', 'ssh_public_key', 'ssh_passphrase', 'rdp_password', 'vnc_password');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" "Role" NOT NULL DEFAULT 'learner',
    "passwordHash" TEXT,
    "emailVerified" TIMESTAMP(3),
    "image" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Account" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Course" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "summary" TEXT NOT NULL DEFAULT '',
    "position" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Course_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CoursePage" (
    "id" TEXT NOT NULL,
    "courseId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "markdown" TEXT NOT NULL,
    "labTemplateId" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CoursePage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LabTemplate" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LabTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LabTemplatePane" (
    "id" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "protocol" "Protocol" NOT NULL,
    "position" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "settings" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "LabTemplatePane_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Lab" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "state" "LabState" NOT NULL DEFAULT 'provisioning',
    "host" TEXT NOT NULL,
    "sshHostKey" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "tornDownAt" TIMESTAMP(3),

    CONSTRAINT "Lab_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LabEndpoint" (
    "id" TEXT NOT NULL,
    "labId" TEXT NOT NULL,
    "protocol" "Protocol" NOT NULL,
    "port" INTEGER NOT NULL,
    "username" TEXT,

    CONSTRAINT "LabEndpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LabCredential" (
    "id" TEXT NOT NULL,
    "labId" TEXT NOT NULL,
    "kind" "CredentialKind" NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LabCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConnectionTicket" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "labId" TEXT NOT NULL,
    "protocol" "Protocol" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "consumedAt" TIMESTAMP(3),

    CONSTRAINT "ConnectionTicket_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TunnelSession" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "labId" TEXT NOT NULL,
    "protocol" "Protocol" NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),
    "bytesToLab" BIGINT NOT NULL DEFAULT 0,
    "bytesToUser" BIGINT NOT NULL DEFAULT 0,
    "closeStatus" INTEGER,

    CONSTRAINT "TunnelSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "Account_userId_idx" ON "Account"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Account_provider_providerAccountId_key" ON "Account"("provider", "providerAccountId");

-- CreateIndex
CREATE UNIQUE INDEX "Course_slug_key" ON "Course"("slug");

-- CreateIndex
CREATE INDEX "CoursePage_courseId_position_idx" ON "CoursePage"("courseId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "CoursePage_courseId_slug_key" ON "CoursePage"("courseId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "LabTemplate_slug_key" ON "LabTemplate"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "LabTemplatePane_templateId_protocol_key" ON "LabTemplatePane"("templateId", "protocol");

-- CreateIndex
CREATE INDEX "Lab_ownerId_templateId_idx" ON "Lab"("ownerId", "templateId");

-- CreateIndex
CREATE UNIQUE INDEX "LabEndpoint_labId_protocol_key" ON "LabEndpoint"("labId", "protocol");

-- CreateIndex
CREATE UNIQUE INDEX "LabCredential_labId_kind_key" ON "LabCredential"("labId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "ConnectionTicket_tokenHash_key" ON "ConnectionTicket"("tokenHash");

-- CreateIndex
CREATE INDEX "ConnectionTicket_expiresAt_idx" ON "ConnectionTicket"("expiresAt");

-- CreateIndex
CREATE INDEX "TunnelSession_labId_idx" ON "TunnelSession"("labId");

-- CreateIndex
CREATE INDEX "TunnelSession_userId_startedAt_idx" ON "TunnelSession"("userId", "startedAt");

-- AddForeignKey
ALTER TABLE "Account" ADD CONSTRAINT "Account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CoursePage" ADD CONSTRAINT "CoursePage_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "Course"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CoursePage" ADD CONSTRAINT "CoursePage_labTemplateId_fkey" FOREIGN KEY ("labTemplateId") REFERENCES "LabTemplate"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabTemplatePane" ADD CONSTRAINT "LabTemplatePane_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "LabTemplate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Lab" ADD CONSTRAINT "Lab_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Lab" ADD CONSTRAINT "Lab_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "LabTemplate"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabEndpoint" ADD CONSTRAINT "LabEndpoint_labId_fkey" FOREIGN KEY ("labId") REFERENCES "Lab"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabCredential" ADD CONSTRAINT "LabCredential_labId_fkey" FOREIGN KEY ("labId") REFERENCES "Lab"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectionTicket" ADD CONSTRAINT "ConnectionTicket_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectionTicket" ADD CONSTRAINT "ConnectionTicket_labId_fkey" FOREIGN KEY ("labId") REFERENCES "Lab"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TunnelSession" ADD CONSTRAINT "TunnelSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TunnelSession" ADD CONSTRAINT "TunnelSession_labId_fkey" FOREIGN KEY ("labId") REFERENCES "Lab"("id") ON DELETE CASCADE ON UPDATE CASCADE;
