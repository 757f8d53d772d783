/**
 * The programs the local stack needs: Java 17+ (Kafka 4), Maven (only while the jars are not
 * cached yet), javac (only to compile the mongo launcher once) and PostgreSQL's server binaries
 * (initdb, pg_ctl). A missing one is reported by name
 * with the Debian package that provides it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CdcError } from '../errors';

export interface Tools {
  java: string;
  /** Undefined when not installed; only needed to download the jars the first time. */
  mvn?: string;
  /** Folder with initdb, pg_ctl and postgres. */
  pgBin: string;
  /** Undefined when not installed; only needed to compile the mongo launcher the first time. */
  javac?: string;
}

export class MissingToolsError extends CdcError {
  readonly missing: string[];
  constructor(missing: string[]) {
    super(`the local stack needs programs that are not installed:\n  - ${missing.join('\n  - ')}`, {
      hint: 'install them (on Debian/Ubuntu as root: scripts/ensure-tools.sh), or point the tests at a stack started elsewhere',
    });
    this.missing = missing;
  }
}

export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** `java -version` prints e.g. `openjdk version "17.0.15"` (or `"1.8.0_…"` for Java 8) on stderr. */
export function javaMajor(versionText: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionText);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

/** Highest PostgreSQL major under /usr/lib/postgresql (Debian layout), or $CDC_STACK_PG_BIN. */
export function findPgBin(env: NodeJS.ProcessEnv, root = '/usr/lib/postgresql'): string | undefined {
  const candidates: string[] = [];
  if (env.CDC_STACK_PG_BIN) candidates.push(env.CDC_STACK_PG_BIN);
  try {
    const majors = fs.readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...majors.map((major) => path.join(root, major, 'bin')));
  } catch {
    // no Debian layout
  }
  const initdbOnPath = findOnPath('initdb', env);
  if (initdbOnPath) candidates.push(path.dirname(initdbOnPath));
  return candidates.find((dir) => ['initdb', 'pg_ctl', 'postgres'].every((bin) => fs.existsSync(path.join(dir, bin))));
}

/** javac beside the java found (a JDK), else on PATH. */
export function findJavac(env: NodeJS.ProcessEnv, java: string | undefined): string | undefined {
  if (java) {
    try {
      const sibling = path.join(path.dirname(fs.realpathSync(java)), 'javac');
      fs.accessSync(sibling, fs.constants.X_OK);
      return sibling;
    } catch {
      // a JRE without javac, or a java we cannot resolve
    }
  }
  return findOnPath('javac', env);
}

export function findTools(env: NodeJS.ProcessEnv, options: { needMaven: boolean; needJavac?: boolean; pgRoot?: string }): Tools {
  const missing: string[] = [];
  const java = env.JAVA_HOME && fs.existsSync(path.join(env.JAVA_HOME, 'bin', 'java'))
    ? path.join(env.JAVA_HOME, 'bin', 'java')
    : findOnPath('java', env);
  if (!java) {
    missing.push('java (Java 17 or newer; Debian package openjdk-17-jre-headless)');
  } else {
    const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
    const major = javaMajor(`${probe.stderr}${probe.stdout}`);
    if (major !== undefined && major < 17) missing.push(`java 17 or newer (found Java ${major} at ${java}; Kafka 4 needs 17)`);
  }
  const mvn = findOnPath('mvn', env);
  if (!mvn && options.needMaven) missing.push('mvn (Apache Maven, to download the Kafka and Debezium jars once; Debian package maven)');
  const pgBin = findPgBin(env, options.pgRoot);
  if (!pgBin) missing.push('PostgreSQL server binaries initdb, pg_ctl, postgres (Debian package postgresql; or set CDC_STACK_PG_BIN)');
  const javac = findJavac(env, java);
  if (!javac && options.needJavac) missing.push('javac (a JDK 17+, to compile the mongo-java-server launcher once; Debian package openjdk-17-jdk-headless)');
  if (missing.length > 0 || !java || !pgBin) throw new MissingToolsError(missing);
  return { java, mvn, pgBin, javac };
}
