// Whether a module is the program's entry point, so examples run when started and not when imported.
import { pathToFileURL } from "node:url";

export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && moduleUrl === pathToFileURL(entry).href;
}
