export async function checkPdf() { return []; }
