// Structured logging (pino). Internal reasons go here, never into responses.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'bff'): Logger {
  return pino({ name, level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}
