// Types of bin/compiled.js (plain JavaScript: it runs before tsx is registered).
export declare const ROOT: string;
export declare const DIST: string;
export declare const STAMP: string;
export declare const SOURCE_DIRS: string[];
export declare function newestSourceMtime(): number;
export declare function currentCompiledCli(): string | undefined;
