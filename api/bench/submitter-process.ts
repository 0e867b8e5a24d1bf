/**
 * The bulk submitter alone in a process, fed from the bulk queue as the SQS event source would,
 * so its memory can be measured apart from the API. On SIGTERM it prints its peak RSS as JSON.
 */
import { createSubmitter } from "../handlers/bulk-submitter";
import { pollBulkQueue } from "../local/wiring";

const poller = pollBulkQueue(
    process.env.BULK_QUEUE_URL!,
    process.env.BULK_QUEUE_ARN!,
    process.env.AWS_REGION ?? "us-east-1",
    createSubmitter,
);
process.on("SIGTERM", () => void stopAndReport());

async function stopAndReport() {
    await poller.stop();
    console.log(JSON.stringify({ maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
    process.exit(0);
}
console.log("submitter ready");
