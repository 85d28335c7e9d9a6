/**
 * 信访台账 (issue 13 item 3): one row per complaint — ledger number, received date, channel,
 * complainant (name and phone masked), subject, assigned unit, status, deadline, outcome. An
 * accusation (检举控告) shows only its number and status unless the export is for 纪检
 * (includeAccusations), since its contents must not reach anyone else. Pure.
 */
import { maskMobile } from '../identity/contact.js';
import type { Row, TableSpec } from './spec.js';

const col = (key: string, header: string, kind: TableSpec['columns'][number]['kind'], width: number) => ({ key, header, kind, width });

export const LEDGER_SPEC: TableSpec = {
  id: 'complaint-ledger',
  title: '信访台账',
  fileStem: '信访台账',
  columns: [
    col('ledgerNo', '编号', 'text', 11),
    col('receivedAt', '受理日期', 'date', 11),
    col('channel', '来源', 'text', 10),
    col('complainant', '信访人', 'text', 18),
    col('subject', '反映事项', 'text', 44),
    col('assignedUnit', '承办单位', 'text', 16),
    col('status', '办理状态', 'text', 10),
    col('deadline', '办理期限', 'date', 11),
    col('outcome', '办理结果', 'text', 30),
  ],
  totalLabelColumn: 'ledgerNo',
};

export interface LedgerEntry {
  ledgerNo: string;
  /** 'YYYY-MM-DD' (Beijing). */
  receivedOn: string;
  channel: string;
  complainantName: string;
  complainantPhone: string | null;
  summary: string;
  subjectRegionName: string | null;
  accusation: boolean;
  assignedUnit: string | null;
  acceptanceNoticed: boolean;
  verificationResult: string | null;
  fedBack: boolean;
  closed: boolean;
  /** 'YYYY-MM-DD' (Beijing) or null. */
  deadline: string | null;
}

/** 张三丰 → 张**. */
export function maskPersonName(name: string): string {
  return name.length <= 1 ? '*' : name[0] + '*'.repeat(name.length - 1);
}

export function ledgerStatus(e: LedgerEntry): string {
  if (e.closed) return '已办结';
  if (e.fedBack) return '已反馈';
  if (e.verificationResult) return '已核实';
  if (e.acceptanceNoticed) return '办理中';
  return '待受理';
}

export function ledgerRow(e: LedgerEntry, opts: { includeAccusations: boolean }): Row {
  const status = ledgerStatus(e);
  if (e.accusation && !opts.includeAccusations) {
    return { ledgerNo: e.ledgerNo, receivedAt: null, channel: null, complainant: null, subject: null, assignedUnit: null, status, deadline: null, outcome: null };
  }
  const who = e.complainantPhone ? `${maskPersonName(e.complainantName)}（${maskMobile(e.complainantPhone)}）` : maskPersonName(e.complainantName);
  return {
    ledgerNo: e.ledgerNo,
    receivedAt: e.receivedOn,
    channel: e.channel,
    complainant: who,
    subject: `${e.accusation ? '【检举控告】' : ''}${e.subjectRegionName ? `${e.subjectRegionName}：` : ''}${e.summary}`,
    assignedUnit: e.assignedUnit,
    status,
    deadline: e.deadline,
    outcome: e.verificationResult,
  };
}
