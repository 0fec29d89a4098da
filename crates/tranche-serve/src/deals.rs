//! The deals folder: which deals it holds, and each deal loaded once (again when one of
//! its files changes). Nothing outside the folder is read: a deal is named by the folder
//! directly under it, and a name with `..`, a separator or a leading dot, or a folder, deal
//! file, tape or curves file that leads out of it (a symlink, an absolute path) is refused.

use crate::error::{ApiError, ApiResult};
use crate::host::Host;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use tranche_core::runner::DealModel;
use tranche_core::scenario::Scenario;
use tranche_core::tables::{term_sheet_summary, ClassInfo, SummaryRow};
use tranche_io::report::ReportSpec;

/// The term sheet's Price/DM columns: percent of the pricing speed.
pub const STANDARD_SPEEDS: [f64; 5] = [0.0, 80.0, 100.0, 150.0, 180.0];

/// A deal ready to run.
pub struct DealEntry {
    pub id: String,
    pub dir: PathBuf,
    pub model: DealModel,
    /// The report's setup at par and the standard speeds: its collateral tables and the
    /// pricing speed in words.
    pub spec: ReportSpec,
    /// The term-sheet summary at the pricing speed, at par.
    pub term_sheet: Vec<SummaryRow>,
    stamp: Vec<(PathBuf, Option<SystemTime>)>,
}

/// One deal of the folder as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub id: String,
    pub name: String,
    pub title: String,
    /// Why the deal cannot be opened, when it cannot.
    pub error: Option<String>,
}

pub struct DealStore {
    /// The deals folder, canonical.
    root: PathBuf,
    host: Arc<dyn Host>,
    loaded: Mutex<HashMap<String, Arc<DealEntry>>>,
}

fn modified(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

impl DealStore {
    /// The store of the deals folder `root` (which must exist).
    pub fn new(root: &Path, host: Arc<dyn Host>) -> Result<Self, String> {
        let root = root.canonicalize().map_err(|e| {
            format!(
                "--deals {}: {e}; expected a folder holding deal folders",
                root.display()
            )
        })?;
        if !root.is_dir() {
            return Err(format!(
                "--deals {}: not a folder; expected a folder holding deal folders",
                root.display()
            ));
        }
        Ok(DealStore {
            root,
            host,
            loaded: Mutex::new(HashMap::new()),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `p` made canonical, refused unless it is inside the deals folder.
    fn inside(&self, id: &str, p: &Path, what: &str) -> ApiResult<PathBuf> {
        let c = p.canonicalize().map_err(|_| {
            ApiError::not_found(format!("deal `{id}`: {what} {} not found", p.display()))
        })?;
        if !c.starts_with(&self.root) {
            return Err(ApiError::forbidden(format!(
                "deal `{id}`: {what} leads outside the deals folder; refused"
            )));
        }
        Ok(c)
    }

    /// The folder of deal `id`, checked: a plain name of a folder under the deals folder.
    pub fn deal_dir(&self, id: &str) -> ApiResult<PathBuf> {
        let plain = !id.is_empty()
            && id.len() <= 200
            && !id.starts_with('.')
            && !id.contains(['/', '\\', '\0', ':']);
        if !plain {
            return Err(ApiError::bad(format!(
                "deal `{id}`: expected the name of a deal folder directly under the deals folder; paths are refused"
            )));
        }
        let p = self.root.join(id);
        if std::fs::symlink_metadata(&p).is_err() {
            return Err(ApiError::not_found(format!(
                "no deal `{id}` in the deals folder"
            )));
        }
        let dir = self.inside(id, &p, "its folder")?;
        if !dir.is_dir() {
            return Err(ApiError::not_found(format!("`{id}` is not a deal folder")));
        }
        let file = dir.join("deal.toml");
        if std::fs::symlink_metadata(&file).is_err() {
            return Err(ApiError::not_found(format!(
                "`{id}` holds no deal.toml; expected a deal folder"
            )));
        }
        self.inside(id, &file, "its deal.toml")?;
        Ok(dir)
    }

    /// The files a deal reads (deal file, tape, curves), each checked to stay inside.
    fn files(&self, id: &str, dir: &Path) -> ApiResult<Vec<PathBuf>> {
        let file = dir.join("deal.toml");
        let text = std::fs::read_to_string(&file)
            .map_err(|e| ApiError::bad(format!("{}: {e}", file.display())))?;
        let deal =
            tranche_io::deal::parse_deal(&file, &text).map_err(|e| ApiError::bad(e.to_string()))?;
        let mut out = vec![file];
        let tape = dir.join(&deal.collateral.tape);
        if std::fs::symlink_metadata(&tape).is_ok() {
            out.push(self.inside(id, &tape, "its tape")?);
        } else {
            // Not there: the loader says so; the path must still not point outside.
            let lexical = tape.components().all(|c| {
                matches!(
                    c,
                    std::path::Component::Normal(_) | std::path::Component::CurDir
                )
            });
            if !lexical || !tape.starts_with(&self.root) {
                return Err(ApiError::forbidden(format!(
                    "deal `{id}`: its tape leads outside the deals folder; refused"
                )));
            }
            out.push(tape);
        }
        let curves = dir.join("curves.csv");
        if std::fs::symlink_metadata(&curves).is_ok() {
            out.push(self.inside(id, &curves, "its curves.csv")?);
        }
        Ok(out)
    }

    /// Every deal folder directly under the deals folder, by name.
    pub fn list(&self) -> ApiResult<Vec<Listed>> {
        let rd = std::fs::read_dir(&self.root)
            .map_err(|e| ApiError::internal(format!("cannot read the deals folder: {e}")))?;
        let mut out = Vec::new();
        for entry in rd.flatten() {
            let Some(id) = entry.file_name().to_str().map(String::from) else {
                continue;
            };
            let Ok(dir) = self.deal_dir(&id) else {
                continue;
            };
            let file = dir.join("deal.toml");
            let parsed = std::fs::read_to_string(&file)
                .map_err(|e| e.to_string())
                .and_then(|t| tranche_io::deal::parse_deal(&file, &t).map_err(|e| e.to_string()));
            out.push(match parsed {
                Ok(d) => Listed {
                    id,
                    name: d.name.clone(),
                    title: d.title.clone(),
                    error: None,
                },
                Err(e) => Listed {
                    name: id.clone(),
                    id,
                    title: String::new(),
                    error: Some(e),
                },
            });
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Deal `id`, loaded once and again after one of its files changed. Blocking.
    pub fn get(&self, id: &str) -> ApiResult<Arc<DealEntry>> {
        let dir = self.deal_dir(id)?;
        let files = self.files(id, &dir)?;
        let stamp: Vec<_> = files.iter().map(|f| (f.clone(), modified(f))).collect();
        if let Some(e) = self.cached(id) {
            if e.stamp == stamp {
                return Ok(e);
            }
        }
        let entry = Arc::new(self.load(id, dir, stamp)?);
        if let Ok(mut m) = self.loaded.lock() {
            m.insert(id.to_string(), entry.clone());
        }
        Ok(entry)
    }

    fn cached(&self, id: &str) -> Option<Arc<DealEntry>> {
        self.loaded.lock().ok()?.get(id).cloned()
    }

    fn load(
        &self,
        id: &str,
        dir: PathBuf,
        stamp: Vec<(PathBuf, Option<SystemTime>)>,
    ) -> ApiResult<DealEntry> {
        let bad = |e: tranche_io::IoError| ApiError::bad(e.to_string());
        let loaded = tranche_io::deal::load_deal_pool(&dir, false).map_err(bad)?;
        if loaded.pool.is_empty() {
            return Err(ApiError::bad(format!(
                "deal `{id}`: its tape `{}` has no loans or is missing",
                loaded.deal.collateral.tape
            )));
        }
        let model = DealModel::new(loaded.deal, loaded.pool, loaded.curves)
            .map_err(|e| ApiError::bad(format!("deal `{id}`: {e}")))?;
        let spec = self
            .host
            .report_spec(&dir, 100.0, &STANDARD_SPEEDS)
            .map_err(ApiError::bad)?;
        let classes = ClassInfo::of_deal(&model.deal);
        let term_sheet = term_sheet_summary(&model, &classes, &Scenario::default())
            .map_err(crate::scenario::run_error)?;
        Ok(DealEntry {
            id: id.to_string(),
            dir,
            model,
            spec,
            term_sheet,
            stamp,
        })
    }
}
