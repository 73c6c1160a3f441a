//! Rewriting a committed file without some rows: how a changed input's
//! earlier rows are replaced.

use std::collections::HashSet;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{Array, BooleanArray, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use quarry_core::{Error, Result};

use crate::{properties, WriteOptions};

/// Copies `src` to `dst` without the rows whose `column` is in `remove`.
/// Returns the number of rows kept.
pub fn rewrite_without(
    src: &Path,
    dst: &Path,
    column: &str,
    remove: &HashSet<String>,
    options: &WriteOptions,
) -> Result<u64> {
    let fail = |e: &dyn std::fmt::Display| Error::Pipeline(format!("{}: {e}", src.display()));
    let file = File::open(src).map_err(|e| Error::io(src.display().to_string(), e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| fail(&e))?;
    let schema = Arc::clone(builder.schema());
    let index = schema.index_of(column).map_err(|e| fail(&e))?;
    let reader = builder.build().map_err(|e| fail(&e))?;
    if let Some(parent) = dst.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent.display().to_string(), e))?;
    }
    let temp = dst.with_extension("parquet.tmp");
    let out = File::create(&temp).map_err(|e| Error::io(temp.display().to_string(), e))?;
    let mut writer = ArrowWriter::try_new(
        out,
        schema,
        Some(properties(options, &["text", "surface", "raw_text"])),
    )
    .map_err(|e| fail(&e))?;
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
        writer.write(&filtered).map_err(|e| fail(&e))?;
    }
    writer.close().map_err(|e| fail(&e))?;
    std::fs::rename(&temp, dst).map_err(|e| Error::io(dst.display().to_string(), e))?;
    Ok(kept)
}
