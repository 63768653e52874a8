/**
 * Bounded growth (issue 13): op-log entries (the temp-id map's with them) and revisions older than the retention
 * window are deleted on the schedule; inside the window a retried operation still finds its
 * result (exactly-once), and records are never deleted.
 */
import { describe, expect, it } from 'vitest';
import { appointmentData, count, tempId, useServerWithStaff, createOp, updateOp } from './helpers.ts';

const DAY = 24 * 60 * 60 * 1000;
const WINDOW = 40 * DAY;

const t = useServerWithStaff({ sessionPurgeIntervalMs: 50, retentionMs: WINDOW });

describe('retention of sync bookkeeping', () => {
  it('prunes what is older than the window on the schedule; a retry inside the window still applies once', async () => {
    let device = t.client;
    const oldTemp = tempId('appt');
    const old = createOp('appointments', appointmentData(t.ids.petId, null, { title: 'Old booking' }), {
      tempId: oldTemp,
    });
    const oldPush = await device.push([old]);
    expect(oldPush.status, oldPush.text).toBe(200);
    const oldId = oldPush.body.results[0]!.realId!;
    expect((await device.push([updateOp('appointments', oldId, { notes: 'edited' })])).body.results[0]!.success).toBe(
      true,
    );

    // Sessions last 30 days: the device signs in again (as it must to retry at all).
    t.server.clock.advance(WINDOW - DAY);
    device = await t.server.login();
    const recent = createOp('appointments', appointmentData(t.ids.petId, null, { title: 'Recent booking' }), {
      tempId: tempId('appt'),
    });
    const recentId = (await device.push([recent])).body.results[0]!.realId!;
    t.server.clock.advance(2 * DAY);
    device = await t.server.login();
    try {
      // The old operation's entries go; the recent one's stay.
      await expect
        .poll(() => count(t.server, 'SELECT COUNT(*) FROM op_log WHERE op_id = ?', old.opId), {
          timeout: 3000,
          interval: 25,
        })
        .toBe(0);
      await expect
        .poll(() => count(t.server, 'SELECT COUNT(*) FROM op_log WHERE temp_id = ?', oldTemp), {
          timeout: 3000,
          interval: 25,
        })
        .toBe(0);
      await expect
        .poll(
          () =>
            count(
              t.server,
              "SELECT COUNT(*) FROM revisions WHERE entity_type = 'appointments' AND entity_id = ?",
              oldId,
            ),
          { timeout: 3000, interval: 25 },
        )
        .toBe(0);
      expect(await count(t.server, 'SELECT COUNT(*) FROM op_log WHERE op_id = ?', recent.opId)).toBe(1);
      expect(
        t.server.lines.some((l) =>
          /^\[Server\] pruned sync bookkeeping older than the retention window: \d+ op-log entries/.test(l),
        ),
      ).toBe(true);
      // Records stay.
      expect(await count(t.server, 'SELECT COUNT(*) FROM appointments WHERE id = ?', oldId)).toBe(1);
      // A retry inside the window: the stored result, nothing applied.
      const again = await device.push([recent]);
      expect(again.body.results[0]).toMatchObject({ success: true, realId: recentId, version: 1 });
      expect(await count(t.server, "SELECT COUNT(*) FROM appointments WHERE title = 'Recent booking'")).toBe(1);
      // A device whose base version predates the revisions kept: every field counts as changed.
      const stale = await device.push([updateOp('appointments', oldId, { title: 'Renamed' }, { version: 1 })]);
      expect(stale.body.results[0]!.conflictData).toMatchObject({ conflictType: 'version', affectedFields: ['title'] });
    } finally {
      t.server.clock.advance(-(WINDOW + DAY));
    }
  });
});
