//! `tranche.Table`: an immutable Arrow table that exports itself through the Arrow
//! PyCapsule interface (`__arrow_c_stream__`, `__arrow_c_array__`), so `pa.table(t)`,
//! `pl.DataFrame(t)`, DuckDB and any other Arrow consumer read it without a copy.

use arrow_array::{ArrayRef, RecordBatch, StructArray};
use arrow_schema::{Field, SchemaRef};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};
use pyo3_arrow::error::PyArrowResult;
use pyo3_arrow::ffi::{
    to_array_pycapsules, to_schema_pycapsule, to_stream_pycapsule, ArrayIterator,
};
use std::sync::Arc;

#[pyclass(module = "tranche", name = "Table", frozen)]
pub struct Table {
    batches: Vec<RecordBatch>,
    schema: SchemaRef,
}

impl Table {
    pub fn new(batch: RecordBatch) -> Self {
        Table {
            schema: batch.schema(),
            batches: vec![batch],
        }
    }

    pub fn from_batches(schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        Table { batches, schema }
    }

    fn struct_field(&self) -> Field {
        Field::new_struct("", self.schema.fields().clone(), false)
            .with_metadata(self.schema.metadata().clone())
    }

    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

#[pymethods]
impl Table {
    /// Exports the table as an Arrow C stream (the Arrow PyCapsule interface).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyArrowResult<Bound<'py, PyCapsule>> {
        let arrays = self
            .batches
            .clone()
            .into_iter()
            .map(|b| Ok(Arc::new(StructArray::from(b)) as ArrayRef));
        let reader = Box::new(ArrayIterator::new(arrays, Arc::new(self.struct_field())));
        to_stream_pycapsule(py, reader, requested_schema)
    }

    /// Exports the table as one Arrow C struct array (the Arrow PyCapsule interface).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyArrowResult<Bound<'py, PyTuple>> {
        let batch = arrow_select::concat::concat_batches(&self.schema, &self.batches)?;
        let array: ArrayRef = Arc::new(StructArray::from(batch));
        to_array_pycapsules(
            py,
            Arc::new(self.struct_field()),
            array.as_ref(),
            requested_schema,
        )
    }

    /// The table's schema (exports `__arrow_c_schema__`).
    #[getter]
    fn schema(&self) -> Schema {
        Schema(self.schema.clone())
    }

    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    #[getter]
    #[pyo3(name = "num_rows")]
    fn py_num_rows(&self) -> usize {
        self.num_rows()
    }

    fn __len__(&self) -> usize {
        self.num_rows()
    }

    /// A `pyarrow.Table` (needs pyarrow).
    fn to_pyarrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("pyarrow")?.getattr("table")?.call1((slf,))
    }

    /// A `pandas.DataFrame`, through pyarrow (needs pyarrow and pandas).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::to_pyarrow(slf)?.call_method0("to_pandas")
    }

    /// A `polars.DataFrame` (needs polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py()
            .import("polars")?
            .getattr("DataFrame")?
            .call1((slf,))
    }

    /// Columns as a dict of Python lists (through pyarrow).
    fn to_pydict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::to_pyarrow(slf)?.call_method0("to_pydict")
    }

    /// Rows as a list of dicts (through pyarrow).
    fn to_pylist<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::to_pyarrow(slf)?.call_method0("to_pylist")
    }

    fn __repr__(&self) -> String {
        let cols: Vec<String> = self
            .schema
            .fields()
            .iter()
            .map(|f| format!("{}: {}", f.name(), f.data_type()))
            .collect();
        format!(
            "tranche.Table({} rows x {} columns)\n  {}",
            self.num_rows(),
            cols.len(),
            cols.join("\n  ")
        )
    }
}

/// An Arrow schema (exports `__arrow_c_schema__`, so `pa.schema(s)` reads it).
#[pyclass(module = "tranche", name = "Schema", frozen)]
pub struct Schema(pub SchemaRef);

#[pymethods]
impl Schema {
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyArrowResult<Bound<'py, PyCapsule>> {
        to_schema_pycapsule(py, self.0.as_ref())
    }

    #[getter]
    fn names(&self) -> Vec<String> {
        self.0.fields().iter().map(|f| f.name().clone()).collect()
    }

    fn __repr__(&self) -> String {
        let cols: Vec<String> = self
            .0
            .fields()
            .iter()
            .map(|f| format!("{}: {}", f.name(), f.data_type()))
            .collect();
        format!("tranche.Schema(\n  {}\n)", cols.join("\n  "))
    }
}

/// The columns a scenario table may have (see the docs for meaning and defaults).
#[pyfunction]
pub fn scenario_schema() -> Schema {
    Schema(tranche_arrow::scenario_schema())
}

/// The columns of a grid's result table.
#[pyfunction]
pub fn result_schema() -> Schema {
    Schema(tranche_arrow::result_schema())
}
