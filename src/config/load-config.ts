import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, ENV_KEYS, type DocentConfig } from '../../config/schema.js';
import { ConfigError } from '../core/errors.js';

/**
 * The package's config/ folder, found by walking up from this file so it works from any working directory,
 * from the TypeScript sources (src/config) and from the compiled build (dist/src/config) alike.
 */
export const CONFIG_DIR = findConfigDir(path.dirname(fileURLToPath(import.meta.url)));

function findConfigDir(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'config', 'default.yaml'))) return path.join(dir, 'config');
    if (path.dirname(dir) === dir) return path.resolve(from, '../../config');
  }
}

type Plain = Record<string, unknown>;

export interface LoadConfigOptions {
  /** Environment to read (default process.env); tests pass their own. */
  env?: NodeJS.ProcessEnv;
  /** Explicit values (CLI options) by config path, e.g. { dataDir: '/tmp/x' }; they win over everything. */
  overrides?: Record<string, unknown>;
  /** Folder with default.yaml and profiles. */
  configDir?: string;
}

/**
 * Builds the validated config: default.yaml ← profile (DOCENT_PROFILE; hf-space when SPACE_ID is set and it is
 * not) ← environment ← overrides.
 * Throws ConfigError whose message is one line naming the key (and its env variable) and the fix.
 */
export function loadConfig(opts: LoadConfigOptions = {}): DocentConfig {
  const env = opts.env ?? process.env;
  const dir = opts.configDir ?? CONFIG_DIR;
  let merged = readYaml(path.join(dir, 'default.yaml'), 'config/default.yaml');
  const profile = env.DOCENT_PROFILE?.trim() || defaultProfile(env);
  if (profile) {
    const file = path.join(dir, `${profile}.yaml`);
    if (!existsSync(file)) {
      throw new ConfigError('DOCENT_PROFILE', `no profile file config/${profile}.yaml`, 'use one of the .yaml files in config/ or unset it');
    }
    merged = deepMerge(merged, readYaml(file, `config/${profile}.yaml`));
  }
  for (const [name, spec] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(merged, spec.path, parseEnvValue(name, raw, spec.kind));
  }
  for (const [key, value] of Object.entries(opts.overrides ?? {})) {
    if (value !== undefined) setPath(merged, key, value);
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) throw toConfigError(result.error);
  return result.data;
}

/** A Hugging Face Space sets SPACE_ID: without an explicit DOCENT_PROFILE it gets the hf-space profile. */
function defaultProfile(env: NodeJS.ProcessEnv): string | undefined {
  return env.DOCENT_PROFILE === undefined && env.SPACE_ID?.trim() ? 'hf-space' : undefined;
}

function readYaml(file: string, label: string): Plain {
  try {
    const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Plain) : {};
  } catch (err) {
    throw new ConfigError(label, `cannot read: ${(err as Error).message.split('\n')[0]}`, 'fix the YAML syntax');
  }
}

function parseEnvValue(name: string, raw: string, kind: 'string' | 'number' | 'list' | 'json'): unknown {
  if (kind === 'list') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (kind === 'json') {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new ConfigError(name, 'is not valid JSON', `set ${name} to JSON, e.g. {"123456789": ["data/sample"]}`);
    }
  }
  if (kind === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new ConfigError(name, `must be a number, got "${raw}"`, `set ${name} to a number`);
    return n;
  }
  return raw;
}

function setPath(target: Plain, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const k of keys.slice(0, -1)) {
    if (!node[k] || typeof node[k] !== 'object') node[k] = {};
    node = node[k] as Plain;
  }
  node[keys[keys.length - 1]!] = value;
}

function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
      ? deepMerge(b as Plain, v as Plain)
      : v;
  }
  return out;
}

/** First zod issue → "key (ENV_VAR): problem — fix". One line, because start-up prints it and stops. */
function toConfigError(error: z.ZodError): ConfigError {
  const issue = error.issues[0]!;
  const key = issue.path.join('.') || '(root)';
  const envName = Object.entries(ENV_KEYS).find(([, s]) => s.path === key)?.[0];
  const label = envName ? `${key} (${envName})` : key;
  let problem = issue.message;
  let fix = `fix ${key} in config/*.yaml${envName ? ` or set ${envName}` : ''}`;
  if (issue.code === 'invalid_value' && 'values' in issue) {
    problem = `must be one of ${(issue.values as unknown[]).join(', ')}`;
  } else if (issue.code === 'invalid_union') {
    // e.g. LLM_CHAIN=foo: "auto" or a list of backend names. zod says only "Invalid input"; name what is valid.
    const valid = unionChoices(issue.errors);
    if (valid) problem = `must be ${valid}`;
  } else if (issue.code === 'unrecognized_keys') {
    problem = `unknown key(s) ${issue.keys.join(', ')}`;
    fix = 'remove them or check the spelling against config/default.yaml';
  }
  return new ConfigError(label, problem, fix);
}

/**
 * The values a union of enums and literals accepts, from its branches' issues: "auto, or a comma-separated list
 * of hf, openai, ollama, extractive". Undefined when a branch is not an enum or literal (say nothing false).
 */
function unionChoices(branches: z.core.$ZodIssue[][]): string | undefined {
  const parts: string[] = [];
  for (const issues of branches) {
    const v = issues.find((i) => i.code === 'invalid_value');
    if (!v || !('values' in v)) return undefined;
    const values = (v.values as unknown[]).map(String).join(', ');
    parts.push(v.path.length > 0 ? `a comma-separated list of ${values}` : values);
  }
  return parts.length ? parts.join(', or ') : undefined;
}
