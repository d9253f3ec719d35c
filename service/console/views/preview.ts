const decoder = new TextDecoder('utf-8', { fatal: true });

/** Bytes as text to show: UTF-8 (pretty when it is JSON), else a hex dump. Never markup: the page escapes it. */
export function previewText(bytes: Uint8Array, totalBytes: number): { readonly text: string; readonly kind: 'json' | 'text' | 'hex'; readonly cut: boolean } {
  const cut = totalBytes > bytes.byteLength;
  let text: string | undefined;
  try {
    text = decoder.decode(bytes);
  } catch {
    // A multi-byte character cut by the size cap is still text: try without the last three bytes.
    if (cut) {
      try {
        text = decoder.decode(bytes.subarray(0, Math.max(0, bytes.byteLength - 3)), { stream: true });
      } catch {
        text = undefined;
      }
    }
  }
  if (text !== undefined && !/[\u0000-\u0008\u000e-\u001f]/.test(text)) {
    if (!cut) {
      try {
        return { text: JSON.stringify(JSON.parse(text), null, 2), kind: 'json', cut };
      } catch {
        // Not JSON: shown as it is.
      }
    }
    return { text, kind: 'text', cut };
  }
  const lines: string[] = [];
  for (let i = 0; i < bytes.byteLength; i += 16) {
    const row = [...bytes.subarray(i, i + 16)];
    lines.push(`${i.toString(16).padStart(6, '0')}  ${row.map((b) => b.toString(16).padStart(2, '0')).join(' ').padEnd(48)}  ${row.map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('')}`);
  }
  return { text: lines.join('\n'), kind: 'hex', cut };
}
