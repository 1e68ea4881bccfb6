export function postgresSchemaFrom(sqliteSchemaText: string, clientOutputDir: string): string;
