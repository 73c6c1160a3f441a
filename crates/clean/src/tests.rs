use super::*;

fn clean(s: &str) -> String {
    Cleaner::new(&CleanConfig::default()).unwrap().clean(s).text
}

#[test]
fn smoke() {
    assert_eq!(clean("a  b\r\n\r\n\r\n\r\nc "), "a b\n\nc");
}
