import {
  isAnswerDto,
  isAnswerImportResult,
  validItems,
  type AnswerDto,
  type AnswerImportResult,
  type AnswerInput,
} from '../shared/contract';
import { getJson, postText, readProblem, sendJson, type Problem } from '../shared/http';

/** HTTP calls of the answer library (docs/contract.md, "Answer library"). */

export const ANSWERS_URL = '/api/answers';
export const EXPORT_URL = '/api/answers/export.csv';

/** problem: null = the server could not be reached or answered something unreadable. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; problem: Problem | null };

async function call<T>(request: () => Promise<Response>, parse: (response: Response) => Promise<T>): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await request();
  } catch {
    return { ok: false, problem: null };
  }
  if (!response.ok) return { ok: false, problem: await readProblem(response) };
  try {
    return { ok: true, value: await parse(response) };
  } catch {
    return { ok: false, problem: null };
  }
}

const json = async (response: Response): Promise<unknown> => response.json();

function expectAnswer(value: unknown): AnswerDto {
  if (!isAnswerDto(value)) throw new Error('unexpected answer payload');
  return value;
}

export function listAnswers(q: string, includeRetired: boolean): Promise<ApiResult<AnswerDto[]>> {
  const params = new URLSearchParams({ q, includeRetired: String(includeRetired) });
  return call(
    () => getJson(`${ANSWERS_URL}?${params.toString()}`),
    async (response) => {
      const items = validItems(await json(response), isAnswerDto);
      if (items === null) throw new Error('unexpected list payload');
      return items;
    },
  );
}

export function createAnswer(input: AnswerInput): Promise<ApiResult<AnswerDto>> {
  return call(() => sendJson('POST', ANSWERS_URL, input), async (response) => expectAnswer(await json(response)));
}

export function updateAnswer(id: string, input: AnswerInput): Promise<ApiResult<AnswerDto>> {
  const { personal: _personal, ...body } = input; // PUT: same body without `personal`
  return call(
    () => sendJson('PUT', `${ANSWERS_URL}/${encodeURIComponent(id)}`, body),
    async (response) => expectAnswer(await json(response)),
  );
}

export function setRetired(id: string, retired: boolean): Promise<ApiResult<void>> {
  const action = retired ? 'retire' : 'restore';
  return call(
    () => sendJson('POST', `${ANSWERS_URL}/${encodeURIComponent(id)}/${action}`),
    async () => undefined,
  );
}

export function importCsv(csv: string): Promise<ApiResult<AnswerImportResult>> {
  return call(
    () => postText(`${ANSWERS_URL}/import`, csv, 'text/csv'),
    async (response) => {
      const result = await json(response);
      if (!isAnswerImportResult(result)) throw new Error('unexpected import payload');
      return result;
    },
  );
}

/** Contract shape of a shortcut: '#' + lower case, no spaces. */
export function normalizeShortcut(raw: string): string {
  const trimmed = raw.trim().toLowerCase().replace(/\s+/g, '-');
  if (trimmed === '') return '';
  return trimmed.startsWith('#') ? trimmed : `#${trimmed.replace(/^\/+/, '')}`;
}
