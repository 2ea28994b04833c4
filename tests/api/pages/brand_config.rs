//! Brand settings the binary refuses at start: each names the config file, the key and what is
//! wrong with it (the brand file it could not use); a good brand passes `--check-config`.

use crate::support::binary::{MINIMAL_CONFIG, refused_config, run};

#[tokio::test]
async fn bad_brand_configs_exit_non_zero_naming_file_key_and_brand_file() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_png = dir.path().join("logo.png");
    std::fs::write(&not_a_png, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    let huge = dir.path().join("huge.svg");
    std::fs::write(&huge, format!("<svg>{}</svg>", " ".repeat(600 * 1024))).unwrap();
    let gif = dir.path().join("logo.gif");
    std::fs::write(&gif, "GIF89a").unwrap();
    let css = dir.path().join("brand.css");
    std::fs::write(&css, ".card { color: red; }").unwrap();
    let (not_a_png, huge, gif, css) = (
        not_a_png.display().to_string(),
        huge.display().to_string(),
        gif.display().to_string(),
        css.display().to_string(),
    );
    // (brand section, env overrides, the key the error must name, text it must also carry)
    type Case = (
        String,
        Vec<(&'static str, &'static str)>,
        &'static str,
        String,
    );
    let cases: Vec<Case> = vec![
        (
            "  primary_color: blue\n".into(),
            vec![],
            "brand.primary_color",
            "blue".into(),
        ),
        (
            String::new(),
            vec![("BRIDGE__BRAND__BACKGROUND_COLOR", "#12345")],
            "brand.background_color",
            "#12345".into(),
        ),
        (
            "  product_name: Acme\n  logo_url: http://cdn.example.com/logo.png\n".into(),
            vec![],
            "brand.logo_url",
            "https".into(),
        ),
        (
            "  product_name: Acme\n  logo_file: /nonexistent/logo.png\n".into(),
            vec![],
            "brand.logo_file",
            "/nonexistent/logo.png".into(),
        ),
        (
            format!("  product_name: Acme\n  logo_file: {not_a_png}\n"),
            vec![],
            "brand.logo_file",
            not_a_png.clone(),
        ),
        (
            format!("  product_name: Acme\n  logo_file: {huge}\n"),
            vec![],
            "brand.logo_file",
            huge.clone(),
        ),
        (
            format!("  product_name: Acme\n  logo_file: {gif}\n"),
            vec![],
            "brand.logo_file",
            gif.clone(),
        ),
        (
            format!("  logo_file: {huge}\n"),
            vec![],
            "brand.logo_file",
            "product_name".into(),
        ),
        (
            "  stylesheet_file: /nonexistent/brand.css\n".into(),
            vec![],
            "brand.stylesheet_file",
            "/nonexistent/brand.css".into(),
        ),
        (
            format!("  stylesheet_file: {css}\n  colour: \"#fff\"\n"),
            vec![],
            "brand.colour",
            "unknown field".into(),
        ),
    ];
    for (section, env, key, text) in cases {
        let yaml = format!("{MINIMAL_CONFIG}brand:\n{section}");
        let stderr = refused_config(&yaml, &env, key).await;
        assert!(stderr.contains(&text), "says {text}: {stderr}");
    }
    // A good brand passes the check; relative files are taken from the config file's folder.
    let path = dir.path().join("bridge.yaml");
    std::fs::write(
        &path,
        format!("{MINIMAL_CONFIG}brand:\n  product_name: Acme\n  stylesheet_file: brand.css\n"),
    )
    .unwrap();
    let (code, stdout, stderr) = run(
        &["--config", path.to_str().unwrap(), "--check-config"],
        &[("BRIDGE__BRAND__PRIMARY_COLOR", "#0b6e4f")],
    )
    .await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("valid"), "{stdout}");
}
