export async function runEdge() { return []; }
export async function runChromium() { return { page: [], worker: [] }; }
