//! Rewriting a committed file without some rows: how a changed input's
//! earlier rows are replaced.

use std::collections::HashSet;
use std::fs::File;
use std::sync::Arc;

use arrow_array::{Array, BooleanArray, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use quarry_core::{Error, Result};

use crate::{dataset_properties, Destination, PendingFile, WriteOptions};

/// Copies the Parquet file `src` (named `src_name` in messages) to `rel`
/// under `dest` without the rows whose `column` is in `remove`. Returns the
/// number of rows kept. `rel` is `dataset/partition/name`: its first part
/// picks the dataset's write settings, so the new file is laid out as the
/// one it replaces.
pub fn rewrite_without(
    src: File,
    src_name: &str,
    dest: &Destination,
    rel: &str,
    column: &str,
    remove: &HashSet<String>,
    options: &WriteOptions,
) -> Result<u64> {
    let fail = |e: &dyn std::fmt::Display| Error::Pipeline(format!("{src_name}: {e}"));
    let builder = ParquetRecordBatchReaderBuilder::try_new(src).map_err(|e| fail(&e))?;
    let schema = Arc::clone(builder.schema());
    let index = schema.index_of(column).map_err(|e| fail(&e))?;
    let reader = builder.build().map_err(|e| fail(&e))?;
    let mut out = PendingFile::create(
        dest,
        rel,
        schema,
        dataset_properties(rel.split('/').next().unwrap_or_default(), options),
    )?;
    let mut kept = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| fail(&e))?;
        let values = batch
            .column(index)
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| fail(&format!("column {column} is not a string column")))?;
        let keep: BooleanArray = (0..values.len())
            .map(|i| Some(values.is_null(i) || !remove.contains(values.value(i))))
            .collect();
        let filtered =
            arrow_select::filter::filter_record_batch(&batch, &keep).map_err(|e| fail(&e))?;
        kept += filtered.num_rows() as u64;
        if let Err(e) = out.write(&filtered) {
            out.abort();
            return Err(e);
        }
    }
    out.commit()?;
    Ok(kept)
}
