// Request validation: zValidator wrapped once so every failure answers the same `{code: 'ZF0010'}`.
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import { z, type ZodType } from 'zod';
import { DomainError } from './errors.ts';

/** zValidator whose failures all answer the same `{code: 'ZF0010'}`. */
export const validate = <T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) throw new DomainError('ZF0010', `invalid ${target}`);
  });

/** The `:orderNo` path parameter every order route takes. */
export const OrderParam = z.object({ orderNo: z.string().min(1).max(32) });
