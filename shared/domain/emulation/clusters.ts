/**
 * Clusters (cụm) and blocks (khối) of emulation (Law on Emulation and Commendation 2022, Art. 16): units of one level
 * that compete together across parents, a leader (trưởng cụm) taking its turn each year, and the cluster's own
 * ranking shown beside each unit's rank among its siblings. Also the clusters file an office imports (one row per
 * member), read like the units and people files.
 *
 * The cluster's own scoring table (`Cluster.rubric`) is NOT applied to the ranking: rubric.ts scores an indicator
 * from its kind and direction, which stored period results do not carry, so a unit's result cannot be re-scored from
 * `PeriodResults` alone. Clusters rank by the directive's score until results are computed with the cluster's rubric.
 */
import { splitCsv } from '../csv.ts';
import { InputError } from '../errors.ts';
import { competitionRanks } from '../results/aggregate.ts';
import type { PeriodResults, UnitResult } from '../results/types.ts';
import { pointsFor, roundScore, Rubric } from '../results/rubric.ts';
import type { Indicator } from '../indicator.ts';
import { foldVi } from '../text.ts';
import { LEVEL_NAME_VI, type Unit } from '../units.ts';
import type { Cluster } from './types.ts';

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** One problem of a set of clusters, tied to the cluster it is about (the file reader turns it into a line). */
interface ClusterProblem {
  clusterId: string;
  messageVi: string;
}

/** Blocks are typed by people: "Khối Xã", "khối xã" and "KHỐI  XÃ" are one block. */
const blockKey = (block: string) => foldVi(block).replace(/\s+/g, ' ');

/** Every problem of the clusters at once; empty when they hold together. */
function clusterProblems(clusters: readonly Cluster[], units: ReadonlyMap<string, Pick<Unit, 'name' | 'level'>>): ClusterProblem[] {
  const problems: ClusterProblem[] = [];
  const nameOf = (id: string) => units.get(id)?.name ?? `đơn vị mã "${id}"`;
  const seenIds = new Map<string, Cluster>();
  /** block → unit → the first cluster of that block holding it. */
  const memberOfBlock = new Map<string, Map<string, Cluster>>();

  for (const cluster of clusters) {
    const say = (messageVi: string) => problems.push({ clusterId: cluster.id, messageVi });
    const earlier = seenIds.get(cluster.id);
    if (earlier) say(`Mã cụm "${cluster.id}" dùng cho hai cụm: ${earlier.nameVi} và ${cluster.nameVi}`);
    else seenIds.set(cluster.id, cluster);
    if (cluster.memberIds.length === 0) say(`${cluster.nameVi} chưa có đơn vị nào`);
    if (cluster.leaderRotation.length === 0) say(`${cluster.nameVi} chưa có đơn vị làm trưởng cụm`);

    const members = new Set<string>();
    for (const id of cluster.memberIds) {
      if (members.has(id)) say(`${nameOf(id)} ghi hai lần trong ${cluster.nameVi}`);
      members.add(id);
      if (!units.has(id)) say(`${cluster.nameVi}: không có đơn vị mã "${id}"`);
    }

    const levels = new Map<string, string[]>();
    for (const id of members) {
      const unit = units.get(id);
      if (unit) levels.set(unit.level, [...(levels.get(unit.level) ?? []), unit.name]);
    }
    if (levels.size > 1) {
      const parts = [...levels].map(([level, names]) => `${names.join(', ')} (cấp ${LEVEL_NAME_VI[level as Unit['level']]})`);
      say(`${cluster.nameVi} gồm các đơn vị khác cấp: ${parts.join('; ')}`);
    }

    for (const id of new Set(cluster.leaderRotation)) {
      if (!members.has(id)) say(`${cluster.nameVi}: ${nameOf(id)} có trong thứ tự trưởng cụm nhưng không thuộc cụm`);
    }

    const byUnit = memberOfBlock.get(blockKey(cluster.block)) ?? new Map<string, Cluster>();
    memberOfBlock.set(blockKey(cluster.block), byUnit);
    for (const id of members) {
      const other = byUnit.get(id);
      if (other && other !== cluster) say(`${nameOf(id)} thuộc hai cụm của khối ${other.block}: ${other.nameVi} và ${cluster.nameVi}`);
      else byUnit.set(id, cluster);
    }
  }
  return problems;
}

/** Refuses clusters that do not hold together, naming units by name; units from different parents are allowed. */
export function checkClusters(clusters: readonly Cluster[], units: ReadonlyMap<string, Unit>): void {
  const problems = clusterProblems(clusters, units);
  if (problems.length) throw new InputError(`Cụm thi đua có ${problems.length} lỗi, chưa lưu`, problems.map((p) => p.messageVi));
}

/** The unit leading the cluster in `year`: the rotation taken in turn from `rotationFrom`, backwards before it too. */
export function leadingUnitOf(cluster: Cluster, year: number): string {
  const n = cluster.leaderRotation.length;
  const turn = (((year - cluster.rotationFrom) % n) + n) % n;
  return cluster.leaderRotation[turn] as string;
}

export interface ClusterRankingRow {
  unitId: string;
  name: string;
  parentId: string | null;
  parentName: string | null;
  score: number | null;
  /** Rank within the cluster ("1, 2, 2, 4"); null without a score. */
  rank: number | null;
  /** Rank among the unit's siblings under its parent, as the period's results rank them; null without a score. */
  parentRank: number | null;
}

export interface ClusterRanking {
  clusterId: string;
  nameVi: string;
  block: string;
  /** The unit leading the cluster in the year. */
  leaderId: string;
  /** Scored by the cluster's own scoring table (else the directive's scores). */
  ownRubric: boolean;
  /** Best first; equal scores share a rank (ordered by name between them); unscored units last. */
  rows: ClusterRankingRow[];
}

/** Each unit's rank among the scored siblings under its parent; roots are not ranked (as the results do it). */
function parentRanks(results: PeriodResults): Map<string, number> {
  const byParent = new Map<string, { id: string; score: number }[]>();
  for (const u of Object.values(results.units)) {
    if (u.parentId === null || u.score === null) continue;
    byParent.set(u.parentId, [...(byParent.get(u.parentId) ?? []), { id: u.unitId, score: u.score }]);
  }
  const ranks = new Map<string, number>();
  for (const siblings of byParent.values()) for (const [id, rank] of competitionRanks(siblings)) ranks.set(id, rank);
  return ranks;
}

const byName = new Intl.Collator('vi');

/**
 * Every cluster's ranking for the period, each member beside its rank under its parent, so a commune sees where it
 * stands among the cluster's communes of other districts and among its own district's. A member missing from the
 * results is listed unscored under its id. The cluster's own rubric is not applied (see the header).
 */
export function rankWithinClusters(results: PeriodResults, clusters: readonly Cluster[], year: number, indicators: readonly Indicator[] = []): ClusterRanking[] {
  const underParent = parentRanks(results);
  return clusters.map((cluster) => {
    const rubric = cluster.rubric ? Rubric.safeParse(cluster.rubric) : undefined;
    // The cluster's own scoring table, when it agreed one, scores its members from the same figures.
    const scoreOf = (id: string): number | null => {
      const unit = results.units[id];
      if (!unit) return null;
      return rubric?.success && indicators.length ? scoreWithRubric(unit, indicators, rubric.data) : unit.score;
    };
    const scored = cluster.memberIds.flatMap((id) => {
      const score = scoreOf(id);
      return score === null ? [] : [{ id, score }];
    });
    const inCluster = competitionRanks(scored);
    const rows = [...new Set(cluster.memberIds)].map((id): ClusterRankingRow => {
      const unit = results.units[id];
      const parentId = unit?.parentId ?? null;
      return {
        unitId: id,
        name: unit?.name ?? id,
        parentId,
        parentName: parentId === null ? null : (results.units[parentId]?.name ?? null),
        score: scoreOf(id),
        rank: inCluster.get(id) ?? null,
        parentRank: underParent.get(id) ?? null,
      };
    });
    rows.sort((a, b) => (a.rank ?? Number.POSITIVE_INFINITY) - (b.rank ?? Number.POSITIVE_INFINITY) || byName.compare(a.name, b.name));
    return { clusterId: cluster.id, nameVi: cluster.nameVi, block: cluster.block, leaderId: leadingUnitOf(cluster, year), ownRubric: !!(rubric?.success && indicators.length), rows };
  });
}

/** Accepted column names (compared without diacritics, spaces as "_"): Vietnamese for officers, English for engineers. */
const COLUMNS = {
  clusterId: ['ma_cum', 'cluster_id'],
  clusterName: ['ten_cum', 'cluster_name'],
  block: ['khoi', 'ten_khoi', 'block'],
  unitId: ['ma_don_vi', 'unit_id'],
  leaderOrder: ['thu_tu_truong_cum', 'leader_order'],
  rotationFrom: ['nam_bat_dau', 'rotation_from'],
} as const;
const REQUIRED: readonly (keyof typeof COLUMNS)[] = ['clusterId', 'clusterName', 'block', 'unitId'];
export const CLUSTERS_CSV_HEADER = 'ma_cum,ten_cum,khoi,ma_don_vi,thu_tu_truong_cum,nam_bat_dau';

/** A cluster as its rows build it, before it becomes a `Cluster`. */
interface ClusterDraft {
  id: string;
  firstLine: number;
  name: { value: string; line: number } | null;
  block: { value: string; line: number } | null;
  members: { unitId: string; line: number }[];
  /** order → unit and line. */
  rotation: Map<number, { unitId: string; line: number }>;
  rotationFrom: { value: number; line: number } | null;
}

/**
 * Reads a clusters file: one row per member (`ma_cum,ten_cum,khoi,ma_don_vi,thu_tu_truong_cum,nam_bat_dau`). The name
 * and block may be written on the cluster's first row only; a later row that writes another is a problem. The
 * leader rotation is the members with a `thu_tu_truong_cum`, in that order. `nam_bat_dau` may be written once per
 * cluster; a cluster without one takes the first year written in the file. Never throws on content: every problem is
 * listed by line, including those `checkClusters` finds; the clusters that could be built are returned beside them.
 */
export function readClustersCsv(text: string, units: ReadonlyMap<string, Unit>): { clusters: Cluster[]; problems: { line: number; messageVi: string }[] } {
  const split = splitCsv(text.replace(/^\uFEFF/, ''), ',', Number.POSITIVE_INFINITY);
  const problems: { line: number; messageVi: string }[] = [];
  const say = (line: number, messageVi: string) => problems.push({ line, messageVi: `Dòng ${line}: ${messageVi}` });
  if (split.openQuoteLine) say(split.openQuoteLine, 'dấu ngoặc kép (") mở nhưng không đóng');
  const rows = [...split.rows];
  const header = rows.shift();
  if (!header) return { clusters: [], problems: [{ line: 1, messageVi: `Tệp trống; dòng 1 phải là tiêu đề: ${CLUSTERS_CSV_HEADER}` }] };
  const names = header.cells.map((c) => foldVi(c).replace(/\s+/g, '_'));
  const index = Object.fromEntries(
    Object.entries(COLUMNS).map(([field, aliases]) => [field, names.findIndex((n) => (aliases as readonly string[]).includes(n))]),
  ) as Record<keyof typeof COLUMNS, number>;
  const missing = REQUIRED.filter((f) => index[f] < 0).map((f) => COLUMNS[f][0]);
  if (missing.length) return { clusters: [], problems: [{ line: header.line, messageVi: `Dòng ${header.line}: thiếu cột ${missing.join(', ')} (tiêu đề cần có: ${CLUSTERS_CSV_HEADER})` }] };

  const drafts = new Map<string, ClusterDraft>();
  let fileRotationFrom: number | null = null;
  for (const { line, cells } of rows) {
    const get = (f: keyof typeof COLUMNS) => (index[f] < 0 ? '' : (cells[index[f]] ?? '').trim());
    const clusterId = get('clusterId');
    if (!ID.test(clusterId)) {
      say(line, clusterId ? `mã cụm "${clusterId}" không hợp lệ (chỉ gồm chữ thường không dấu, số và dấu gạch ngang)` : 'thiếu mã cụm');
      continue;
    }
    const draft: ClusterDraft = drafts.get(clusterId) ?? { id: clusterId, firstLine: line, name: null, block: null, members: [], rotation: new Map(), rotationFrom: null };
    drafts.set(clusterId, draft);

    for (const [field, label] of [['clusterName', 'tên'], ['block', 'khối']] as const) {
      const value = get(field).replace(/\s+/g, ' ');
      const key = field === 'clusterName' ? 'name' : 'block';
      const known = draft[key];
      if (!value) continue;
      if (!known) draft[key] = { value, line };
      else if (blockKey(known.value) !== blockKey(value)) say(line, `cụm "${clusterId}" đã có ${label} "${known.value}" ở dòng ${known.line}, dòng này ghi "${value}"`);
    }

    const unitId = get('unitId');
    const unit = units.get(unitId);
    if (!unitId) say(line, 'thiếu mã đơn vị');
    else if (!unit) say(line, `không có đơn vị mã "${unitId}"`);
    else if (draft.members.some((m) => m.unitId === unitId)) say(line, `${unit.name} đã có trong cụm "${clusterId}" ở dòng ${draft.members.find((m) => m.unitId === unitId)?.line}`);
    else draft.members.push({ unitId, line });

    const order = get('leaderOrder');
    if (order) {
      const n = Number(order);
      if (!/^\d+$/.test(order) || n < 1) say(line, `thứ tự trưởng cụm "${order}" phải là số nguyên dương`);
      else if (draft.rotation.has(n)) say(line, `thứ tự trưởng cụm ${n} của cụm "${clusterId}" đã dùng ở dòng ${draft.rotation.get(n)?.line}`);
      else if (unit) draft.rotation.set(n, { unitId, line });
    }

    const from = get('rotationFrom');
    if (from) {
      const year = Number(from);
      if (!/^\d{4}$/.test(from) || year < 2000 || year > 2100) say(line, `năm bắt đầu "${from}" phải là năm từ 2000 đến 2100`);
      else if (draft.rotationFrom && draft.rotationFrom.value !== year) say(line, `cụm "${clusterId}" đã có năm bắt đầu ${draft.rotationFrom.value} ở dòng ${draft.rotationFrom.line}, dòng này ghi ${year}`);
      else {
        draft.rotationFrom ??= { value: year, line };
        fileRotationFrom ??= year;
      }
    }
  }

  const clusters: Cluster[] = [];
  const firstLineOf = new Map<string, number>();
  for (const draft of drafts.values()) {
    const missingParts = [
      ...(draft.name ? [] : ['tên cụm (cột ten_cum)']),
      ...(draft.block ? [] : ['khối (cột khoi)']),
      ...(draft.rotation.size ? [] : ['đơn vị làm trưởng cụm (cột thu_tu_truong_cum)']),
      ...((draft.rotationFrom?.value ?? fileRotationFrom) !== null ? [] : ['năm bắt đầu luân phiên (cột nam_bat_dau)']),
    ];
    if (missingParts.length) {
      say(draft.firstLine, `cụm "${draft.id}" chưa có ${missingParts.join(', ')}`);
      continue;
    }
    if (!draft.members.length) continue; // its rows' unknown units are already listed
    firstLineOf.set(draft.id, draft.firstLine);
    clusters.push({
      id: draft.id,
      nameVi: draft.name!.value,
      block: draft.block!.value,
      memberIds: draft.members.map((m) => m.unitId),
      leaderRotation: [...draft.rotation].sort(([a], [b]) => a - b).map(([, r]) => r.unitId),
      rotationFrom: draft.rotationFrom?.value ?? fileRotationFrom!,
      rubric: null,
    });
  }
  for (const p of clusterProblems(clusters, units)) say(firstLineOf.get(p.clusterId) ?? 1, p.messageVi);
  problems.sort((a, b) => a.line - b.line);
  return { clusters, problems };
}

/**
 * A reporting unit's score under another rubric, from the figures its results already hold (each indicator's actual
 * and target, its "4 không" breaches): the same rule as the directive's scoring (`shared/domain/results/rubric.ts`).
 * Units above the reporting level, and cancelled ones, are not scored.
 */
export function scoreWithRubric(unit: UnitResult, indicators: readonly Indicator[], rubric: Rubric): number | null {
  const status = unit.reporting?.status;
  if (!status || status === 'cancelled') return null;
  if (status !== 'on-time' && status !== 'late') return rubric.notReportedScore;
  const earned = indicators.reduce((sum, ind) => (ind.id in rubric.points && unit.indicators[ind.id] ? sum + pointsFor(ind, unit.indicators[ind.id]!.actual, unit.indicators[ind.id]!.target, rubric) : sum), 0);
  const breaches = rubric.fourNo.perVillage ? unit.fourNo.length : new Set(unit.fourNo.map((b) => b.indicatorId)).size;
  return roundScore(Math.max(rubric.notReportedScore, Math.min(rubric.cap, earned) - breaches * rubric.fourNo.deductionPerBreach));
}
