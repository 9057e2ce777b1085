import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../../support/api.js';
import { tempDir } from '../../support/temp.js';
import { NO_MODEL } from '../../support/generated-models.js';

const dir = tempDir();

/** Three known themes written in varied words, and unrelated one-offs. */
const THEMES: Record<string, string[]> = {
  kafka: [
    'Consumer lag on the orders Kafka topic grew to millions of messages after a consumer group rebalance loop. We raised max.poll.interval.ms.',
    'The payments Kafka consumers kept rebalancing and lag on the topic exploded; partitions were reassigned every few seconds.',
    'Kafka consumer group for invoices stuck rebalancing; lag alerts fired until max.poll.interval.ms was increased.',
    'Lag on the shipments topic: consumers in the Kafka group rebalanced in a loop after a slow deploy.',
  ],
  certs: [
    'The TLS certificate for api.acme.io expired and clients failed the handshake with x509 errors. cert-manager renewal had silently failed.',
    'An expired certificate on the internal gateway broke mTLS; x509 certificate has expired errors everywhere until we renewed it.',
    'Browsers showed certificate expired warnings: the wildcard TLS certificate was not renewed by cert-manager.',
    'x509 errors from partners: our TLS certificate expired overnight because the renewal job was broken.',
  ],
  disk: [
    'The build agents ran out of disk space: docker images filled /var/lib/docker and jobs failed with ENOSPC.',
    'Nodes hit DiskPressure because container logs filled the root volume; pods were evicted. ENOSPC in kubelet logs.',
    'Jenkins workers failed with no space left on device (ENOSPC) after the image cache filled the disk.',
    'DiskPressure on three nodes: old docker images and logs consumed the disk and pods were evicted.',
  ],
};
const ONE_OFFS = [
  'A typo in the marketing banner showed the wrong price for an hour.',
  'The office VPN concentrator rebooted during a firmware upgrade.',
  'Someone deleted a shared calendar by mistake; it was restored from backup.',
];

describe('patterns', () => {
  let engine: TestApi;
  beforeAll(async () => {
    const folder = join(dir, 'pms');
    mkdirSync(folder);
    let n = 0;
    for (const [theme, texts] of Object.entries(THEMES)) {
      texts.forEach((t, i) => {
        const month = String(1 + ((i * 3 + n) % 12)).padStart(2, '0');
        writeFileSync(join(folder, `${theme}-${i}.md`), `---\ndate: 2024-${month}-10\n---\n# ${theme} incident ${i}\n\n## Summary\n\n${t}\n`);
      });
      n++;
    }
    ONE_OFFS.forEach((t, i) => writeFileSync(join(folder, `oneoff-${i}.md`), `---\ndate: 2023-0${i + 1}-01\n---\n# One-off ${i}\n\n## Summary\n\n${t}\n`));
    engine = await TestApi.open({ dbPath: join(dir, 'p.db'), models: NO_MODEL });
    await engine.import({ paths: [folder] });
  });
  afterAll(() => engine.close());

  it('finds the known clusters, and only them', async () => {
    const r = await engine.patterns({});
    expect(r.incidents).toBe(15);
    const groups = r.patterns.map((p) => p.incidents.map((i) => i.title.split(' ')[0]));
    expect(groups).toHaveLength(3);
    for (const g of groups) {
      expect(g).toHaveLength(4);
      expect(new Set(g).size).toBe(1);
    }
    expect(groups.flat().some((t) => t === 'One-off')).toBe(false);
  });

  it('labels each theme so a person reads it — by failure mode where one is known — and counts it over time', async () => {
    const r = await engine.patterns({});
    const label = (theme: string) => r.patterns.find((p) => p.incidents[0]!.title.startsWith(theme))!;
    expect(label('kafka').label.toLowerCase()).toMatch(/kafka|lag|rebalanc|consumer/);
    expect(label('certs').label).toMatch(/^Certificate expiry/);
    expect(label('certs').failureModes.map((m) => m.id)).toContain('certificate-expiry');
    expect(label('disk').label).toMatch(/^Disk full/);
    for (const p of r.patterns) {
      expect(Object.values(p.perMonth).reduce((a, b) => a + b, 0)).toBe(p.size);
      expect(p.firstAt! <= p.lastAt!).toBe(true);
      // Each theme has its playbook, over exactly its incidents.
      expect(p.playbook.incidents.map((i) => i.incidentId).sort()).toEqual(p.incidents.map((i) => i.incidentId).sort());
    }
    expect(r.topFailureModes.map((e) => e.id)).toEqual(expect.arrayContaining(['certificate-expiry', 'disk-full']));
  });

  it('lists the largest themes first, the latest first among equal sizes; a shorter list is the start of the longer', async () => {
    const all = await engine.patterns({});
    for (let k = 1; k < all.patterns.length; k++) {
      const [a, b] = [all.patterns[k - 1]!, all.patterns[k]!];
      expect(a.size > b.size || (a.size === b.size && (a.lastAt ?? '') >= (b.lastAt ?? ''))).toBe(true);
    }
    // Themes are described after they are chosen: the first of two is the first of all, alike.
    expect((await engine.patterns({ limit: 2 })).patterns).toEqual(all.patterns.slice(0, 2));
  });

  it('counts incidents, not documents: one incident\'s records make one', async () => {
    const r = await engine.patterns({});
    for (const p of r.patterns) expect(new Set(p.incidents.map((i) => i.incidentId)).size).toBe(p.size);
  });

  it('takes a time window', async () => {
    const r = await engine.patterns({ since: '2024-01-01' });
    expect(r.incidents).toBe(12);
    const none = await engine.patterns({ until: '2023-12-31' });
    expect(none.patterns).toEqual([]);
  });
});

describe('patterns do not chain unlike incidents', () => {
  let engine: TestApi;
  // Each incident shares telling words with the next (a chain), but fails differently, elsewhere.
  const LINKS = ['quarterly invoice batch overlapped', 'marketing newsletter spike arrived', 'warehouse scanner firmware stalled'];
  const UNLIKE = [
    ['billing-api', 'The billing-api nodes ran out of disk space (ENOSPC): no space left on device.'],
    ['partner-gateway', 'The TLS certificate of partner-gateway expired: x509 certificate has expired.'],
    ['search-api', 'DNS resolution failed for search-api: NXDOMAIN from CoreDNS.'],
    ['ledger-db', 'The ledger-db primary failed over to a replica and connections were refused.'],
  ];
  beforeAll(async () => {
    const folder = join(dir, 'unlike');
    mkdirSync(folder);
    UNLIKE.forEach(([service, cause], i) => {
      const words = [LINKS[i - 1], LINKS[i]].filter(Boolean).map((l) => `${l}. The ${l}, again.`).join(' ');
      writeFileSync(join(folder, `u-${i}.md`), `---\ndate: 2024-0${i + 1}-10\nservice: ${service}\n---\n# Outage ${i}\n\n## Summary\n\n${cause} ${words}\n`);
    });
    engine = await TestApi.open({ dbPath: join(dir, 'u.db'), models: NO_MODEL });
    await engine.import({ paths: [folder] });
  });
  afterAll(() => engine.close());

  it('keeps incidents apart that share words but no failure mode or service', async () => {
    const r = await engine.patterns({});
    expect(r.incidents).toBe(4);
    expect(r.patterns.map((p) => p.incidents.map((i) => i.title))).toEqual([]);
  });
});
