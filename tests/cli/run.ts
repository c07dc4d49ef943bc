import { main, type Output } from '../../src/cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  notes: string[];
  errors: string[];
}

/** Run the CLI in-process, capturing what it prints. */
export async function cli(...argv: string[]): Promise<CliRun> {
  let stdout = '';
  const notes: string[] = [];
  const errors: string[] = [];
  const out: Output = {
    async emit(text, file) {
      if (file) {
        const { writeFile } = await import('node:fs/promises');
        await writeFile(file, text);
      } else stdout += typeof text === 'string' ? text : new TextDecoder().decode(text);
    },
    note: (l) => notes.push(l),
    error: (l) => errors.push(l),
  };
  const code = await main(argv, out);
  return { code, stdout, notes, errors };
}
