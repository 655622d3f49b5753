// The sync and update phases: POST /contacts/sync of 100 leads (half of them stored, spread over the
// three matching rules) and PUT /contacts of 100 stored contacts (three fields and two engagement
// fields each), beside their floors: the same lookups, and the same updates, sent straight with mysql2.
import type { Pool, PoolConnection } from 'mysql2/promise';
import { linkedinKey } from '../../src/matching/linkedin-url.js';
import { contactGenerator } from './contacts.js';
import { sqlDateTime } from './rows.js';

const BATCH = 100;
/** Per batch of 100: 17 stored leads found by externalId, 17 by email, 16 by LinkedIn URL, 50 unknown. */
const BY_RULE = { externalId: 17, email: 17, linkedinUrl: 16 } as const;
const MATCHED = BY_RULE.externalId + BY_RULE.email + BY_RULE.linkedinUrl;

type Lead = Record<string, unknown> & { externalId: string; email: string; linkedinUrl: string };

export interface SyncData {
  bodies: Buffer[];
  /** Per batch, the keys each lookup of the service receives, in its order. */
  lookups: { externalIds: string[]; emails: string[]; linkedins: string[] }[];
}

/** Sync batches built from stored leads (`stored`, as they were exported) and leads never stored. */
export function syncData(stored: Lead[], batches: number, ownerIds: readonly string[]): SyncData {
  const unknown = contactGenerator(99, 'unknown', ownerIds);
  const bodies: Buffer[] = [];
  const lookups: SyncData['lookups'] = [];
  for (let b = 0; b < batches; b++) {
    const known = Array.from({ length: MATCHED }, (_, i) => stored[(b * MATCHED + i) % stored.length]);
    const items: Record<string, unknown>[] = [];
    known.forEach((lead, i) => {
      if (i < BY_RULE.externalId) items.push({ externalId: lead.externalId, email: lead.email, linkedinUrl: lead.linkedinUrl });
      else if (i < BY_RULE.externalId + BY_RULE.email) items.push({ externalId: `enginy-${b}-${i}`, email: lead.email.toUpperCase(), firstName: lead.firstName });
      else items.push({ externalId: `enginy-${b}-${i}`, linkedinUrl: lead.linkedinUrl.replace('https://www.', 'http://es.').replace(/\/$/, '?trk=bench') });
    });
    for (let i = MATCHED; i < BATCH; i++) {
      const lead = unknown.next() as Lead;
      items.push({ externalId: lead.externalId, email: lead.email, linkedinUrl: lead.linkedinUrl, company: lead.company });
    }
    bodies.push(Buffer.from(JSON.stringify({ contacts: items })));
    // What the service asks, rule by rule: each rule only for the items no earlier rule matched.
    const matchedByExternalId = new Set(known.slice(0, BY_RULE.externalId).map((lead) => lead.externalId));
    const afterExternalId = items.filter((item) => !matchedByExternalId.has(item.externalId as string));
    const emails = afterExternalId.flatMap((item) => (typeof item.email === 'string' ? [item.email.toLowerCase()] : []));
    const storedEmails = new Set(known.map((lead) => lead.email.toLowerCase()));
    const linkedins = afterExternalId
      .filter((item) => typeof item.email !== 'string' || !storedEmails.has(item.email.toLowerCase()))
      .flatMap((item) => {
        const key = linkedinKey(item.linkedinUrl as string | undefined, 'person');
        return key === null ? [] : [key];
      });
    lookups.push({ externalIds: items.map((item) => item.externalId as string), emails, linkedins });
  }
  return { bodies, lookups };
}

/** Each sync answer: 200, no item error, the matched half, each by its rule. */
export function checkSync(body: unknown): string | undefined {
  const { results, errors } = body as { results?: { matchedBy: string }[]; errors?: unknown[] };
  if ((errors?.length ?? 0) > 0) return `${errors!.length} item error(s)`;
  const by = (rule: string) => results?.filter((r) => r.matchedBy === rule).length;
  const found = { externalId: by('externalId'), email: by('email'), linkedinUrl: by('linkedinUrl') };
  return JSON.stringify(found) === JSON.stringify(BY_RULE) ? undefined : `matched ${JSON.stringify(found)}, expected ${JSON.stringify(BY_RULE)}`;
}

const list = (n: number) => Array.from({ length: n }, () => '?').join(',');
const WINDOW = (column: string, n: number) =>
  `SELECT * FROM (SELECT crm_id, owner_id, updated_at, ${column} AS k, ROW_NUMBER() OVER (PARTITION BY ${column} ORDER BY created_at, crm_id) AS n ` +
  `FROM contacts WHERE ${column} IN (${list(n)})) m WHERE n = 1`;

/** The sync floor: the service's three lookups for the batch, as prepared statements. */
export function syncFloorBatches(data: SyncData) {
  return data.lookups.map(({ externalIds, emails, linkedins }) => ({
    text: '',
    prepared: '',
    values: [],
    run: async (connection: PoolConnection) => {
      await connection.execute(`SELECT crm_id, owner_id, updated_at, external_id AS k FROM contacts WHERE external_id IN (${list(externalIds.length)})`, externalIds);
      if (emails.length > 0) await connection.execute(WINDOW('email_lower', emails.length), emails);
      if (linkedins.length > 0) await connection.execute(WINDOW('linkedin_normalized', linkedins.length), linkedins);
    },
  }));
}

/** What one update changes: three documented fields and two engagement fields. */
function change(crmId: string, round: number, i: number) {
  return {
    crmId,
    title: `Head of Sales ${round}`,
    phone: `+34 600 ${String(round % 1000).padStart(3, '0')} ${String(i).padStart(3, '0')}`,
    leadCountry: round % 2 ? 'Portugal' : 'Spain',
    campaignEngagementStatus: round % 2 ? 'Opened' : 'Replied',
    campaignOpens: round,
  };
}

/** PUT /contacts bodies over `crmIds` (each batch 100 distinct contacts), and the floor's rows for other ones. */
export function updateData(crmIds: string[], batches: number): { bodies: Buffer[]; floorRows: ReturnType<typeof change>[][] } {
  const half = Math.floor(crmIds.length / 2);
  const pick = (offset: number, b: number, i: number) => crmIds[offset + ((b * BATCH + i) % half)];
  const bodies = Array.from({ length: batches }, (_, b) =>
    Buffer.from(JSON.stringify({ contacts: Array.from({ length: BATCH }, (_, i) => change(pick(0, b, i), b + 1, i)) })),
  );
  const floorRows = Array.from({ length: batches }, (_, b) => Array.from({ length: BATCH }, (_, i) => change(pick(half, b, i), b + 1, i)));
  return { bodies, floorRows };
}

/** Each update answer: 200, every item applied. */
export function checkUpdate(body: unknown): string | undefined {
  const { results, errors } = body as { results?: { success: boolean }[]; errors?: { code: string }[] };
  if ((errors?.length ?? 0) > 0) return `${errors!.length} item error(s), first code ${errors![0].code}`;
  return results?.length === BATCH && results.every((r) => r.success) ? undefined : 'not every item applied';
}

/**
 * The update floor: one transaction, one multi-row UPDATE joined to the batch's rows, custom fields
 * merged by JSON_MERGE_PATCH, prepared. `perItem` sends one single-row UPDATE per contact instead
 * (the design the service does not use), to measure what grouping saves.
 */
export function updateFloorBatches(rows: ReturnType<typeof change>[][], perItem: boolean) {
  const derived = `SELECT ? AS id, ? AS title, ? AS phone, ? AS lc, ? AS p${' UNION ALL SELECT ?, ?, ?, ?, ?'.repeat(BATCH - 1)}`;
  const grouped =
    `UPDATE contacts t JOIN (${derived}) v ON t.crm_id = v.id SET t.title = v.title, t.phone = v.phone, t.lead_country = v.lc, ` +
    `t.custom_fields = JSON_MERGE_PATCH(COALESCE(t.custom_fields, '{}'), v.p), t.updated_at = ?`;
  const single =
    "UPDATE contacts SET title = ?, phone = ?, lead_country = ?, custom_fields = JSON_MERGE_PATCH(COALESCE(custom_fields, '{}'), ?), updated_at = ? WHERE crm_id = ?";
  return rows.map((batch) => ({
    text: '',
    prepared: '',
    values: [],
    run: async (connection: PoolConnection) => {
      const now = sqlDateTime(new Date());
      const patch = (row: ReturnType<typeof change>) =>
        JSON.stringify({ campaignEngagementStatus: row.campaignEngagementStatus, campaignOpens: row.campaignOpens });
      await connection.beginTransaction();
      try {
        if (perItem) {
          for (const row of batch) await connection.execute(single, [row.title, row.phone, row.leadCountry, patch(row), now, row.crmId]);
        } else {
          await connection.execute(grouped, [...batch.flatMap((row) => [row.crmId, row.title, row.phone, row.leadCountry, patch(row)]), now]);
        }
        await connection.commit();
      } catch (error) {
        await connection.rollback();
        throw error;
      }
    },
  }));
}

/** The exported leads of a data set, from its request bodies. */
export function leadsOf(bodies: Buffer[]): Lead[] {
  return bodies.flatMap((body) => (JSON.parse(body.toString()) as { contacts: Lead[] }).contacts);
}

/** The crmIds of stored contacts whose externalIds are these (one query per 1000). */
export async function crmIdsOf(pool: Pool, externalIds: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < externalIds.length; start += 1000) {
    const chunk = externalIds.slice(start, start + 1000);
    const [rows] = await pool.query(`SELECT crm_id FROM contacts WHERE external_id IN (${list(chunk.length)})`, chunk);
    ids.push(...(rows as { crm_id: string }[]).map((row) => row.crm_id));
  }
  return ids;
}
