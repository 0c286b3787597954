//! Running a partitioned plan so that its rows come out in partition order.
//!
//! DataFusion's usual way to read a plan with several output partitions is to merge them
//! as batches arrive, which interleaves rows nondeterministically. PostgreSQL's Append
//! runs its children in order, and clients rely on it: `SELECT 1 UNION ALL SELECT 2`
//! returns 1 then 2, and a table scan returns rows in storage order (for us: key order,
//! which for tables without a primary key is insertion order).
//!
//! [`execute_in_order`] starts every partition at once, each on its own task writing into
//! a small bounded channel, and yields partition 0's batches, then partition 1's, and so
//! on. Later partitions work ahead only as far as their channel allows. Dropping the
//! stream aborts all tasks.

use datafusion::common::Result;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_plan::stream::{RecordBatchReceiverStream, RecordBatchStreamAdapter};
use datafusion::physical_plan::{ExecutionPlan, ExecutionPlanProperties};
use futures::StreamExt;
use std::sync::Arc;

/// Batches each partition may produce ahead of the one being read.
const AHEAD: usize = 2;

/// All partitions of `plan`, one after the other.
pub fn execute_in_order(plan: Arc<dyn ExecutionPlan>, context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
    let partitions = plan.output_partitioning().partition_count();
    if partitions == 1 {
        return plan.execute(0, context);
    }
    let schema = plan.schema();
    let mut streams = Vec::with_capacity(partitions);
    for partition in 0..partitions {
        let mut builder = RecordBatchReceiverStream::builder(schema.clone(), AHEAD);
        let tx = builder.tx();
        let plan = plan.clone();
        let context = context.clone();
        builder.spawn(async move {
            let mut stream = match plan.execute(partition, context) {
                Ok(s) => s,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return Ok(());
                }
            };
            drop(plan);
            while let Some(item) = stream.next().await {
                let failed = item.is_err();
                if tx.send(item).await.is_err() || failed {
                    break;
                }
            }
            Ok(())
        });
        streams.push(builder.build());
    }
    let chained = futures::stream::iter(streams).flatten();
    Ok(Box::pin(RecordBatchStreamAdapter::new(schema, chained)))
}
