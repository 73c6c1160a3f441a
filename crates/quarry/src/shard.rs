//! `--shard INDEX/COUNT | auto`: which part of the inputs a task takes.

use quarry_write::shards::ShardId;

/// Resolves the `--shard` argument. `auto` asks the scheduler: a Slurm job
/// array `--array=0-N` (SLURM_ARRAY_TASK_ID, of `--shard-count`,
/// QUARRY_SHARD_COUNT or SLURM_ARRAY_TASK_COUNT), a Kubernetes Indexed Job
/// (JOB_COMPLETION_INDEX, of `--shard-count` or QUARRY_SHARD_COUNT);
/// anywhere else (cron, a shell) it is 0/1. The array task id is the shard
/// index itself, so that resubmitting only failed tasks (`--array=3,5`, with
/// the count given) runs the same shards again.
pub fn resolve(
    arg: Option<&str>,
    count_arg: Option<u32>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ShardId, String> {
    let number = |name: &str| -> Result<Option<u32>, String> {
        match env(name) {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("{name}={v} is not a number")),
        }
    };
    let shard = match arg {
        None => {
            if count_arg.is_some() {
                return Err("--shard-count needs --shard auto".into());
            }
            ShardId::WHOLE
        }
        Some("auto") => {
            if let Some(index) = number("SLURM_ARRAY_TASK_ID")? {
                let count = count_arg
                    .or(number("QUARRY_SHARD_COUNT")?)
                    .or(number("SLURM_ARRAY_TASK_COUNT")?);
                match count {
                    Some(count) => ShardId { index, count },
                    None => return Err("SLURM_ARRAY_TASK_ID is set but not the shard count: give --shard-count N or set QUARRY_SHARD_COUNT".into()),
                }
            } else if let Some(index) = number("JOB_COMPLETION_INDEX")? {
                let count = match count_arg.or(number("QUARRY_SHARD_COUNT")?) {
                    Some(c) => c,
                    None => return Err("JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but the shard count is not: give --shard-count N (the Job's completions) or set QUARRY_SHARD_COUNT".into()),
                };
                ShardId { index, count }
            } else {
                match count_arg {
                    Some(c) if c > 1 => {
                        return Err(format!(
                            "--shard-count {c} but no scheduler index found (SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)"
                        ))
                    }
                    _ => ShardId::WHOLE,
                }
            }
        }
        Some(text) => {
            let parsed = text.split_once('/').and_then(|(i, c)| {
                Some(ShardId {
                    index: i.trim().parse().ok()?,
                    count: c.trim().parse().ok()?,
                })
            });
            match parsed {
                Some(s) => s,
                None => return Err(format!("`{text}`: expected INDEX/COUNT (e.g. 0/8) or auto")),
            }
        }
    };
    if shard.count == 0 {
        return Err("the shard count must be at least 1".into());
    }
    if shard.index >= shard.count {
        return Err(format!(
            "shard index {} is not below the count {} (indexes are 0-based)",
            shard.index, shard.count
        ));
    }
    Ok(shard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn shard(index: u32, count: u32) -> ShardId {
        ShardId { index, count }
    }

    #[test]
    fn explicit_shards_are_checked() {
        assert_eq!(resolve(Some("2/8"), None, &with(&[])), Ok(shard(2, 8)));
        assert_eq!(resolve(None, None, &with(&[])), Ok(ShardId::WHOLE));
        assert!(resolve(Some("8/8"), None, &with(&[]))
            .unwrap_err()
            .contains("0-based"));
        assert!(resolve(Some("1/0"), None, &with(&[])).is_err());
        assert!(resolve(Some("two"), None, &with(&[]))
            .unwrap_err()
            .contains("INDEX/COUNT"));
    }

    #[test]
    fn auto_reads_slurm_kubernetes_or_runs_whole() {
        let slurm = with(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
        ]);
        assert_eq!(resolve(Some("auto"), None, &slurm), Ok(shard(5, 8)));
        // A resubmission of failed tasks only (`--array=5,7`): the count is given.
        let rerun = with(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
            ("QUARRY_SHARD_COUNT", "8"),
        ]);
        assert_eq!(resolve(Some("auto"), None, &rerun), Ok(shard(5, 8)));
        assert!(resolve(
            Some("auto"),
            None,
            &with(&[
                ("SLURM_ARRAY_TASK_ID", "9"),
                ("SLURM_ARRAY_TASK_COUNT", "8")
            ])
        )
        .is_err());
        let k8s = with(&[("JOB_COMPLETION_INDEX", "3"), ("QUARRY_SHARD_COUNT", "4")]);
        assert_eq!(resolve(Some("auto"), None, &k8s), Ok(shard(3, 4)));
        assert_eq!(
            resolve(
                Some("auto"),
                Some(6),
                &with(&[("JOB_COMPLETION_INDEX", "3")])
            ),
            Ok(shard(3, 6))
        );
        assert!(
            resolve(Some("auto"), None, &with(&[("JOB_COMPLETION_INDEX", "3")]))
                .unwrap_err()
                .contains("--shard-count")
        );
        assert_eq!(resolve(Some("auto"), None, &with(&[])), Ok(ShardId::WHOLE));
        assert!(resolve(Some("auto"), Some(4), &with(&[])).is_err());
    }
}
