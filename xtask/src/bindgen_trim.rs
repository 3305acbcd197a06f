//! What the release trims from wasm-bindgen's output, in the Wasm and its glue.
//!
//! Short names for the functions the Wasm imports from its glue: wasm-bindgen names
//! each of them after the Rust item and a 16-digit hash
//! (`__wbg_location_7320782274fc691b`), some 190 per bundle, and every name is written
//! twice: in the Wasm's import section and in the glue's table of imports. The hashes
//! are random digits that brotli cannot shrink: measured on the coverage bundle, short
//! names save 1.6 KB of the Wasm and 1.9 KB of the glue as sent. wasm-bindgen has no
//! option for it, so they are renamed here, in both files, from one table.
//!
//! No exports for wasm-streams' classes (`IntoUnderlyingSource` and its kin): leptos
//! links them through server_fn for streaming server functions, which this
//! client-side app never calls, and an export keeps its code. Without the exports
//! wasm-opt drops 4 KB (1 KB as sent) from each bundle. Their classes stay in the glue,
//! unused: only Rust code makes their objects (through a `__wrap` import, which the
//! glue would then have), so the build stops if the glue can make one.

use crate::wasm::replace;
use anyhow::{Context, Result, bail};
use std::path::Path;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};

/// The module name the renamed imports come from, in place of `./<bin>_bg.js`.
const MODULE: &str = "w";

/// wasm-streams' classes, whose exports are named after them in lower case
/// (`intounderlyingsource_pull`, `__wbg_intounderlyingsink_free`, ...).
const UNUSED_CLASSES: [&str; 3] = [
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

fn unused(export: &str) -> bool {
    let export = export.strip_prefix("__wbg_").unwrap_or(export);
    UNUSED_CLASSES
        .iter()
        .any(|class| export.starts_with(&format!("{}_", class.to_lowercase())))
}

/// Trims the Wasm at `wasm` (written back) and `bin`'s `glue` (returned). Every
/// renamed import must be found once in the glue, or the build stops.
pub fn trim(wasm: &Path, glue: String, bin: &str) -> Result<String> {
    for class in UNUSED_CLASSES {
        if glue.contains(&format!("{class}.__wrap(")) {
            bail!("the glue can make an {class}, whose exports would be dropped");
        }
    }
    let bytes = std::fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let (module, renamed) = rename(&bytes, &format!("./{bin}_bg.js"))?;
    let mut glue = replace(
        glue,
        &format!("\"./{bin}_bg.js\": "),
        &format!("{MODULE}: "),
    )?;
    for (old, new) in &renamed {
        glue = replace(glue, &format!("{old}: "), &format!("{new}: "))?;
    }
    std::fs::write(wasm, module)?;
    Ok(glue)
}

/// Each renamed import: its name from wasm-bindgen, and its short name.
type Renamed = Vec<(String, String)>;

/// The module with the imports from `from` renamed and the unused classes' exports
/// dropped, and the renamed imports' names.
fn rename(bytes: &[u8], from: &str) -> Result<(Vec<u8>, Renamed)> {
    let mut module = wasm_encoder::Module::new();
    let mut renamed = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        if let wasmparser::Payload::ImportSection(reader) = payload {
            let mut imports = wasm_encoder::ImportSection::new();
            for import in reader.into_imports() {
                let import = import?;
                let ty = RoundtripReencoder.entity_type(import.ty)?;
                if import.module == from {
                    let new = short_name(renamed.len());
                    imports.import(MODULE, &new, ty);
                    renamed.push((import.name.to_owned(), new));
                } else {
                    imports.import(import.module, import.name, ty);
                }
            }
            module.section(&imports);
        } else if let wasmparser::Payload::ExportSection(reader) = payload {
            let mut exports = wasm_encoder::ExportSection::new();
            for export in reader {
                let export = export?;
                if !unused(export.name) {
                    let kind = RoundtripReencoder.export_kind(export.kind)?;
                    exports.export(export.name, kind, export.index);
                }
            }
            module.section(&exports);
        } else if let Some((id, range)) = payload.as_section() {
            let data = usize::try_from(range.start)?..usize::try_from(range.end)?;
            module.section(&wasm_encoder::RawSection {
                id,
                data: &bytes[data],
            });
        }
    }
    Ok((module.finish(), renamed))
}

/// `a` to `Z`, then `ab`, `bb`, …: a JavaScript identifier for each index.
fn short_name(mut index: usize) -> String {
    const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const NEXT: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut name = vec![FIRST[index % FIRST.len()]];
    index /= FIRST.len();
    while index > 0 {
        name.push(NEXT[index % NEXT.len()]);
        index /= NEXT.len();
    }
    String::from_utf8_lossy(&name).into_owned()
}

#[cfg(test)]
mod tests {
    use super::{rename, short_name};
    use wasm_encoder::{
        CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection,
        ImportSection, Instruction, MemoryType, Module, TypeSection,
    };

    #[test]
    fn names_are_short_distinct_identifiers() {
        let names: Vec<String> = (0..5000).map(short_name).collect();
        assert_eq!(&names[..3], ["a", "b", "c"]);
        assert_eq!(names[52], "ab");
        let distinct: std::collections::HashSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), names.len());
        assert!(names.iter().all(|n| n.len() <= 3
            && n.as_bytes()[0].is_ascii_alphabetic()
            && n.bytes().all(|b| b.is_ascii_alphanumeric())));
    }

    /// A module importing two functions from the glue and memory from elsewhere, with
    /// a function calling the second import, and a custom section.
    fn module() -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([], []);
        let mut imports = ImportSection::new();
        imports.import(
            "./app_bg.js",
            "__wbg_first_0123456789abcdef",
            EntityType::Function(0),
        );
        imports.import(
            "./__wasm_split.js",
            "__wasm_split_load_part",
            EntityType::Function(0),
        );
        imports.import(
            "./app_bg.js",
            "__wbg_second_fedcba9876543210",
            EntityType::Function(0),
        );
        imports.import(
            "env",
            "memory",
            MemoryType {
                minimum: 1,
                maximum: None,
                memory64: false,
                shared: false,
                page_size_log2: None,
            },
        );
        let mut functions = FunctionSection::new();
        functions.function(0);
        let mut exports = ExportSection::new();
        exports.export("run", ExportKind::Func, 3);
        exports.export("intounderlyingsource_pull", ExportKind::Func, 3);
        exports.export("__wbg_intounderlyingsink_free", ExportKind::Func, 3);
        exports.export("into_source", ExportKind::Func, 3);
        let mut code = CodeSection::new();
        let mut body = Function::new([]);
        body.instruction(&Instruction::Call(2));
        body.instruction(&Instruction::End);
        code.function(&body);
        let mut module = Module::new();
        module
            .section(&types)
            .section(&imports)
            .section(&functions)
            .section(&exports)
            .section(&code)
            .section(&wasm_encoder::CustomSection {
                name: "producers".into(),
                data: b"kept".as_slice().into(),
            });
        module.finish()
    }

    #[test]
    fn only_the_glues_imports_are_renamed_only_the_unused_classes_exports_dropped() {
        let (renamed_module, renamed) = rename(&module(), "./app_bg.js").expect("renamed");
        assert_eq!(
            renamed,
            [
                ("__wbg_first_0123456789abcdef".to_owned(), "a".to_owned()),
                ("__wbg_second_fedcba9876543210".to_owned(), "b".to_owned()),
            ]
        );
        wasmparser::Validator::new()
            .validate_all(&renamed_module)
            .expect("a valid module");
        let mut imports = Vec::new();
        let mut custom = Vec::new();
        let mut exports = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(&renamed_module) {
            match payload.expect("parses") {
                wasmparser::Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.expect("an import");
                        imports.push(format!("{} {}", import.module, import.name));
                    }
                }
                wasmparser::Payload::ExportSection(reader) => {
                    for export in reader {
                        exports.push(export.expect("an export").name.to_owned());
                    }
                }
                wasmparser::Payload::CustomSection(section) => {
                    custom.push((section.name().to_owned(), section.data().to_vec()));
                }
                _ => {}
            }
        }
        assert_eq!(
            imports,
            [
                "w a",
                "./__wasm_split.js __wasm_split_load_part",
                "w b",
                "env memory"
            ]
        );
        assert_eq!(exports, ["run", "into_source"]);
        assert_eq!(custom, [("producers".to_owned(), b"kept".to_vec())]);
    }

    #[test]
    fn a_glue_that_can_make_an_object_of_a_dropped_class_stops_the_build() {
        let wasm = std::env::temp_dir().join(format!("care-trim-{}.wasm", std::process::id()));
        std::fs::write(&wasm, module()).expect("module");
        let glue = "\"./app_bg.js\": import0, __wbg_first_0123456789abcdef: f, \
                    __wbg_second_fedcba9876543210: g";
        assert!(super::trim(&wasm, glue.to_owned(), "app").is_ok());
        let wraps = format!("{glue}, h: (p) => IntoUnderlyingSource.__wrap(p)");
        assert!(super::trim(&wasm, wraps, "app").is_err());
        let _ = std::fs::remove_file(&wasm);
    }
}
