// Regions of one county (县 → 乡镇 → 村), found or created during an import, cached for the whole file.
import type { Prisma } from '../../infra/db/client.js';

export type Tx = Prisma.TransactionClient;

/** Serialises the creation of a county row (Region has no unique key for parentless names). */
const COUNTY_CREATE_LOCK = 0x6a7a_7267; // 'jzrg'

type Level = 'COUNTY' | 'TOWNSHIP' | 'VILLAGE';

export interface RegionRef {
  id: number;
  level: Level;
  name: string;
  /** For villages, the township's name. */
  township?: string;
}

export class CountyRegions {
  private countyId: number | undefined;
  private readonly townships = new Map<string, number>();
  /** key: township + '\u0001' + village */
  private readonly villages = new Map<string, number>();
  /** village name → townships that have one by that name (loaded by loadAll). */
  private readonly villagesByName = new Map<string, string[]>();
  private loaded = false;
  created = { townships: 0, villages: 0, county: 0 };

  constructor(
    private readonly tx: Tx,
    readonly countyName: string,
  ) {}

  /** The county's id; the county is created when missing (and `create`). */
  async county(create = true): Promise<number | undefined> {
    if (this.countyId !== undefined) return this.countyId;
    const find = () =>
      this.tx.$queryRawUnsafe<{ id: number }[]>(
        `SELECT id FROM "Region" WHERE level = 'COUNTY' AND "parentId" IS NULL AND name = $1 ORDER BY id LIMIT 1`,
        this.countyName,
      );
    let rows = await find();
    if (rows.length === 0 && create) {
      await this.tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${COUNTY_CREATE_LOCK})`);
      rows = await find();
      if (rows.length === 0) {
        rows = await this.tx.$queryRawUnsafe<{ id: number }[]>(
          `INSERT INTO "Region" (name, level, "parentId") VALUES ($1, 'COUNTY', NULL) RETURNING id`,
          this.countyName,
        );
        this.created.county++;
      }
    }
    this.countyId = rows[0]?.id;
    return this.countyId;
  }

  private async child(parentId: number, name: string, level: Level, create: boolean): Promise<number | undefined> {
    if (create) {
      const ins = await this.tx.$queryRawUnsafe<{ id: number }[]>(
        `INSERT INTO "Region" (name, level, "parentId") VALUES ($1, $2::"RegionLevel", $3)
         ON CONFLICT ("parentId", name) DO NOTHING RETURNING id`,
        name,
        level,
        parentId,
      );
      if (ins[0]) {
        if (level === 'TOWNSHIP') this.created.townships++;
        else this.created.villages++;
        return ins[0].id;
      }
    }
    const rows = await this.tx.$queryRawUnsafe<{ id: number }[]>(
      `SELECT id FROM "Region" WHERE "parentId" = $1 AND name = $2`,
      parentId,
      name,
    );
    return rows[0]?.id;
  }

  async township(name: string, create = true): Promise<number | undefined> {
    const hit = this.townships.get(name);
    if (hit !== undefined) return hit;
    const countyId = await this.county(create);
    if (countyId === undefined) return undefined;
    const id = await this.child(countyId, name, 'TOWNSHIP', create);
    if (id !== undefined) this.townships.set(name, id);
    return id;
  }

  async village(township: string, name: string, create = true): Promise<number | undefined> {
    const key = `${township}\u0001${name}`;
    const hit = this.villages.get(key);
    if (hit !== undefined) return hit;
    const townshipId = await this.township(township, create);
    if (townshipId === undefined) return undefined;
    const id = await this.child(townshipId, name, 'VILLAGE', create);
    if (id !== undefined) {
      this.villages.set(key, id);
      const list = this.villagesByName.get(name) ?? [];
      if (!list.includes(township)) list.push(township);
      this.villagesByName.set(name, list);
    }
    return id;
  }

  /**
   * Finds or creates the townships and villages of many rows at once (the roster's chunk): one round
   * for the new townships and one for the new villages instead of one or two per name; village() then
   * answers from memory. Same rows and counts as calling village() for each pair.
   */
  async villagesOf(pairs: readonly { township: string; village: string }[], create = true): Promise<void> {
    const newTownships = [...new Set(pairs.map((p) => p.township))].filter((t) => !this.townships.has(t));
    if (newTownships.length > 0) {
      const countyId = await this.county(create);
      if (countyId === undefined) return;
      for (const [id, name] of await this.children('TOWNSHIP', newTownships.map((n) => [countyId, n] as const), create)) {
        this.townships.set(name, id);
      }
    }
    const wanted = new Map<string, readonly [number, string]>();
    for (const p of pairs) {
      const key = `${p.township}\u0001${p.village}`;
      const townshipId = this.townships.get(p.township);
      if (townshipId !== undefined && !this.villages.has(key) && !wanted.has(key)) wanted.set(key, [townshipId, p.village]);
    }
    if (wanted.size === 0) return;
    const townshipName = new Map([...this.townships].map(([name, id]) => [id, name]));
    for (const [id, name, parentId] of await this.children('VILLAGE', [...wanted.values()], create)) {
      const township = townshipName.get(parentId)!;
      this.villages.set(`${township}\u0001${name}`, id);
      const list = this.villagesByName.get(name) ?? [];
      if (!list.includes(township)) list.push(township);
      this.villagesByName.set(name, list);
    }
  }

  /** Many children (parent id, name) at once: created when missing (and `create`), then all found. */
  private async children(level: Level, rows: readonly (readonly [number, string])[], create: boolean): Promise<[number, string, number][]> {
    const parents = rows.map((r) => r[0]);
    const names = rows.map((r) => r[1]);
    if (create) {
      const ins = await this.tx.$queryRawUnsafe<{ n: number }[]>(
        `WITH ins AS (
           INSERT INTO "Region" (name, level, "parentId")
           SELECT n, $3::"RegionLevel", p FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS u(n, p, o) ORDER BY o
           ON CONFLICT ("parentId", name) DO NOTHING RETURNING 1)
         SELECT count(*)::int AS n FROM ins`,
        names,
        parents,
        level,
      );
      const n = Number(ins[0]?.n ?? 0);
      if (level === 'TOWNSHIP') this.created.townships += n;
      else this.created.villages += n;
    }
    const found = await this.tx.$queryRawUnsafe<{ id: number; name: string; parentId: number }[]>(
      `SELECT r.id, r.name, r."parentId" FROM "Region" r JOIN unnest($1::text[], $2::int[]) AS u(n, p) ON r."parentId" = u.p AND r.name = u.n`,
      names,
      parents,
    );
    return found.map((r) => [r.id, r.name, r.parentId]);
  }

  /** Loads every township and village of the county (to recognise 所属单位 names). */
  async loadAll(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    const countyId = await this.county(false);
    if (countyId === undefined) return;
    const rows = await this.tx.$queryRawUnsafe<{ id: number; name: string; level: Level; township: string | null }[]>(
      `SELECT r.id, r.name, r.level::text AS level, p.name AS township
         FROM "Region" r LEFT JOIN "Region" p ON p.id = r."parentId"
        WHERE r."parentId" = $1 OR p."parentId" = $1`,
      countyId,
    );
    for (const r of rows) {
      if (r.level === 'TOWNSHIP') this.townships.set(r.name, r.id);
      else if (r.level === 'VILLAGE' && r.township !== null) {
        this.villages.set(`${r.township}\u0001${r.name}`, r.id);
        const list = this.villagesByName.get(r.name) ?? [];
        if (!list.includes(r.township)) list.push(r.township);
        this.villagesByName.set(r.name, list);
      }
    }
  }

  knownTownship(name: string): number | undefined {
    return this.townships.get(name);
  }

  townshipNames(): string[] {
    return [...this.townships.keys()];
  }

  /** Townships that have a village of this name (after loadAll). */
  townshipsWithVillage(name: string): string[] {
    return this.villagesByName.get(name) ?? [];
  }

  knownVillage(township: string, name: string): number | undefined {
    return this.villages.get(`${township}\u0001${name}`);
  }
}
