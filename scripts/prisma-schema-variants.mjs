// The PostgreSQL variant of prisma/schema.prisma: same models, another provider and client folder.
export function postgresSchemaFrom(sqliteSchemaText, clientOutputDir) {
  const swapped = sqliteSchemaText
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/output\s*=\s*"[^"]*"/, `output       = ${JSON.stringify(clientOutputDir)}`);
  if (swapped === sqliteSchemaText || !swapped.includes('"postgresql"')) {
    throw new Error("prisma/schema.prisma: expected a sqlite datasource and a client output to swap");
  }
  return swapped;
}
