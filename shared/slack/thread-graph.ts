// Adapter: a graph uploaded into a Slack thread under the message it pictures — or a line in the thread saying why it is not there.
import type { SlackAppClient } from '../channels/slack-app';
import { errorMessage } from '../errors';
import { logger } from '../logger';

/** What to draw: what it is of (for the thread line), the file's name, and the drawing (undefined: nothing to draw). */
export interface ThreadGraph {
  readonly of: string;
  readonly filename: string;
  readonly draw: () => Promise<{ readonly png: Uint8Array; readonly title: string } | undefined>;
}

/** Draws and uploads the graph into the thread; never throws for the graph, only when the line saying why could not be posted either. */
export async function uploadGraph(client: Pick<SlackAppClient, 'post' | 'upload'>, channel: string, threadTs: string, graph: ThreadGraph): Promise<void> {
  try {
    const drawn = await graph.draw();
    if (!drawn) return;
    await client.upload(channel, threadTs, { bytes: drawn.png, filename: graph.filename, title: drawn.title, altText: drawn.title });
  } catch (error) {
    // The message went out; a graph is a picture of it. Failing would post the message twice on Lambda's retry.
    logger.warn('A graph could not be drawn', { graph: graph.of, error: errorMessage(error) });
    await client.post(channel, { text: `The graph of ${graph.of} could not be drawn: ${errorMessage(error)}` }, threadTs);
  }
}
