/** Vietnamese text without diacritics, lower case: "Hàm Liêm" → "ham liem". For matching and ids, never for display. */
export function foldVi(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replaceAll('đ', 'd')
    .replaceAll('Đ', 'D')
    .toLowerCase()
    .trim();
}

export function slugVi(text: string): string {
  return foldVi(text)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
