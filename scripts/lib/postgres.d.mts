export declare const SYSTEM_DEPS_HINT: string;
/** The newest installed PostgreSQL's bin dir (Debian layout), or undefined. */
export declare function postgresBinDir(): string | undefined;
/** A throwaway PostgreSQL on loopback (trust auth); `stop()` is synchronous and idempotent. */
export declare function startPostgres(): Promise<{
  url: string;
  port: number;
  version: string;
  stop(): void;
}>;
