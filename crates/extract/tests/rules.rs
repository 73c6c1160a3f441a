//! One test per extraction rule, including each "not a metric" class of
//! shared/spec/metrics-guide.md.

use quarry_core::{Comparator, Direction, Document, Kind, Metric, Modality, Sentence};
use quarry_extract::{ExtractConfig, Extractor};

fn doc_of(sentences: &[&str]) -> Document {
    let text = sentences.join("\n");
    let mut doc = Document::new("t".into(), 0, text);
    let mut pos = 0;
    for s in sentences {
        let n = s.chars().count() as u32;
        doc.sentences.push(Sentence {
            text: s.to_string(),
            lang: "und",
            char_start: pos,
            char_end: pos + n,
            metrics: vec![],
        });
        pos += n + 1;
    }
    doc
}

fn run_with(config: &ExtractConfig, sentences: &[&str]) -> Vec<Vec<Metric>> {
    let ex = Extractor::new(config).unwrap();
    let mut doc = doc_of(sentences);
    ex.extract_document(&mut doc);
    for s in &doc.sentences {
        for m in &s.metrics {
            let span: String = s
                .text
                .chars()
                .skip(m.char_start as usize)
                .take((m.char_end - m.char_start) as usize)
                .collect();
            assert_eq!(span, m.surface, "surface is its span in {}", s.text);
        }
    }
    doc.sentences.into_iter().map(|s| s.metrics).collect()
}

fn run(sentence: &str) -> Vec<Metric> {
    run_with(&ExtractConfig::default(), &[sentence]).remove(0)
}

/// (surface, value_normalized, base_unit) of each metric
fn found(sentence: &str) -> Vec<(String, f64, String)> {
    run(sentence)
        .into_iter()
        .map(|m| (m.surface, m.value_normalized, m.base_unit))
        .collect()
}

fn one(sentence: &str) -> Metric {
    let mut m = run(sentence);
    assert_eq!(m.len(), 1, "one metric in {sentence}: {m:?}");
    m.remove(0)
}

fn none(sentence: &str) {
    let m = found(sentence);
    assert!(m.is_empty(), "no metric in {sentence}: {m:?}");
}

#[test]
fn arabic_numbers_with_separators_and_magnitudes() {
    let m = one("财政收入1,234.5亿元。");
    assert_eq!((m.value, m.value_normalized), (1234.5, 1234.5e8));
    assert_eq!(
        (m.unit.as_deref(), m.base_unit.as_str()),
        (Some("亿元"), "CNY")
    );
    assert_eq!(
        found("城镇新增就业31.69万人。"),
        vec![("31.69万人".into(), 316900.0, "person".into())]
    );
    assert_eq!(found("新农村规划编制1.06万个。")[0].1, 10600.0);
}

#[test]
fn a_four_digit_number_is_not_always_a_year() {
    assert_eq!(found("安排专项资金2024亿元。")[0].1, 2024e8);
    none("2024年是不平凡的一年。");
}

#[test]
fn chinese_numerals() {
    let m = one("工农业总产值达到了一千三百八十七亿四千万元。");
    assert_eq!(
        (m.value, m.unit.as_deref(), m.value_normalized),
        (1387.4, Some("亿元"), 1387.4e8)
    );
    let m = one("比一九五二年增长百分之十五点三。");
    assert_eq!((m.value, m.base_unit.as_str()), (15.3, "percent"));
    assert_eq!(one("达到两万亿元以上。").value_normalized, 2e12);
    let m = one("地区生产总值翻一番。");
    assert_eq!(
        (m.value, m.base_unit.as_str(), m.kind),
        (1.0, "doubling", Kind::Change)
    );
    let m = one("建成十几个物流园区。");
    assert_eq!((m.value, m.comparator), (10.0, Comparator::Gt));
    let m = one("地区生产总值实现千亿元跨越。");
    assert_eq!(
        (m.value, m.unit.as_deref(), m.comparator),
        (1000.0, Some("亿元"), Comparator::Gt)
    );
    let ms = run("在2024年超万亿元的基础上翻一番。");
    assert_eq!((ms[0].value, ms[0].value_normalized), (1.0, 1e12));
    assert_eq!(
        (ms[1].surface.as_str(), ms[1].base_unit.as_str()),
        ("翻一番", "doubling")
    );
}

#[test]
fn english_numbers_and_scales() {
    let m = one("More than 9 million new jobs will be created.");
    assert_eq!((m.value_normalized, m.base_unit.as_str()), (9e6, "person"));
    assert_eq!(m.unit.as_deref(), Some("million new jobs"));
    assert_eq!(
        one("A deficit of 800 billion yuan is projected.").value_normalized,
        800e9
    );
    assert_eq!(one("We created nine million jobs.").value_normalized, 9e6);
    assert_eq!(one("We opened a dozen schools.").value_normalized, 12.0);
    assert_eq!(one("We created a million jobs.").value_normalized, 1e6);
    assert_eq!(
        one("Prices rose 7.5 per cent last year.").base_unit,
        "percent"
    );
}

#[test]
fn fractions_are_percent() {
    let ms = run("The Committee lowered the rate by 1/4 percentage point to 4-1/4 percent.");
    assert_eq!(
        (ms[0].value_normalized, ms[0].base_unit.as_str()),
        (0.25, "pct_point")
    );
    assert_eq!(
        (ms[0].kind, ms[0].direction),
        (Kind::Change, Some(Direction::Down))
    );
    assert_eq!((ms[1].value_normalized, ms[1].kind), (4.25, Kind::Level));
    let m = one("Exports fell by one-third last year.");
    assert_eq!(
        (m.value_normalized, m.unit.as_deref(), m.base_unit.as_str()),
        (33.333, None, "percent")
    );
    assert_eq!(one("We cut the deficit in half.").value_normalized, 50.0);
    none("In the first half of the year, trade recovered.");
    none("It took a quarter of a century.");
    none("A third party took part.");
    assert_eq!(
        one("It lacks a third of its officers.").value_normalized,
        33.333
    );
}

#[test]
fn ranges_give_two_metrics() {
    let ms = run("争取1至2家企业上市。");
    assert_eq!(ms.len(), 2);
    assert_eq!(
        (
            ms[0].surface.as_str(),
            ms[0].comparator,
            ms[0].base_unit.as_str()
        ),
        ("1", Comparator::Ge, "count")
    );
    assert_eq!(
        (ms[1].surface.as_str(), ms[1].comparator),
        ("2家", Comparator::Le)
    );
    let ms = run("增速保持在10-15%。");
    assert_eq!(
        (ms[0].value, ms[0].comparator, ms[1].comparator),
        (10.0, Comparator::Ge, Comparator::Le)
    );
    assert_eq!(ms[0].base_unit, "percent");
    let ms = run("It will pay between $200 and $400 in cash.");
    assert_eq!(
        (ms[0].comparator, ms[1].comparator),
        (Comparator::Ge, Comparator::Le)
    );
}

#[test]
fn units_and_base_units() {
    let cases = [
        ("新增发电能力44.10亿千瓦时。", "kWh", 44.1e8),
        ("粮食播种面积560万亩。", "mu", 5.6e6),
        ("建成区面积120平方公里。", "km2", 120.0),
        ("城镇化率提升2.2个百分点。", "pct_point", 2.2),
        ("人口自然增长率控制在7‰以内。", "permille", 7.0),
        ("接待游客8601.90万人次。", "person_time", 86019000.0),
        ("实际利用外资2.75亿美元。", "USD", 2.75e8),
        ("通车总里程349公里。", "km", 349.0),
        ("惠及农户77.40万户。", "household", 774000.0),
        ("科研投入是上年的1.66倍。", "times", 1.66),
        ("粮食增产612亿斤。", "other", 612e8),
        ("下调利率25个基点。", "basis_point", 25.0),
    ];
    for (s, base, vn) in cases {
        let m = one(s);
        assert_eq!(
            (m.base_unit.as_str(), m.value_normalized),
            (base, vn),
            "{s}"
        );
    }
    // money counted in 万 with 元 left out; people after 万
    assert_eq!(found("安排专项资金2024万以上。")[0].2, "CNY");
    assert_eq!(found("解决256万农民看病难问题。")[0].2, "person");
}

#[test]
fn dollars_follow_the_document() {
    let sg = run_with(
        &ExtractConfig::default(),
        &[
            "Singapore budget for Singapore and Singaporeans in Singapore.",
            "I will provide $600 in vouchers.",
        ],
    );
    assert_eq!(sg[1][0].base_unit, "SGD");
    let us = run_with(&ExtractConfig::default(), &["We spent $7 trillion."]);
    assert_eq!(us[0][0].base_unit, "USD");
    let cfg = ExtractConfig {
        default_currency: "HKD".into(),
        ..Default::default()
    };
    assert_eq!(
        run_with(&cfg, &["It cost $5 million."])[0][0].base_unit,
        "HKD"
    );
    assert_eq!(one("It cost S$5 million.").base_unit, "SGD");
}

#[test]
fn not_metrics_dates_times_durations() {
    none("2024年2月11日上午9时开幕。");
    none("今后五到十年，要努力实现目标。");
    none("用3个月时间完成整治。");
    none("We have worked for 25 years on this.");
}

#[test]
fn not_metrics_ordinals_and_list_markers() {
    none("十一届全国人大五次会议在人民大会堂开幕。");
    none("第八届运动会顺利举办。");
    none("1.医疗卫生保障惠民工程。");
    none("（一）坚持优先发展教育。");
    none("一是加快发展。");
}

#[test]
fn not_metrics_names_codes_and_slogans() {
    none("“十一五”规划确定的目标。");
    none("监测PM2.5浓度。");
    none("参与G20峰会。");
    none("完成4E级标准机场跑道扩建工程。");
    none("以“1212”工程为重点。");
    none("实现“翻两番、跨两步、三提高”的奋斗目标。");
    none("千方百计扩大就业。");
}

#[test]
fn not_metrics_category_thresholds() {
    none("在建投资1000万元以上项目。");
    none("完成20户以上自然村规划。");
    none("打造百亿元产业。");
    none("实施新一轮千亿斤粮食产能提升行动。");
    none("引进世界500强企业。");
    let ms = found("在建投资1000万元以上项目1796项。");
    assert_eq!(ms, vec![("1796项".into(), 1796.0, "count".into())]);
}

#[test]
fn not_metrics_list_heads() {
    none("实施五大工程。");
    none("实施十项重点工程。");
    none("办好10件实事。");
    none("做好以下十个方面工作。");
}

#[test]
fn not_metrics_specs_in_project_names() {
    none("推进2×350兆瓦热电联产扩建工程建设。");
    none("建设年产10万吨精密锻造中心。");
    none("大唐700万吨露天矿完成项目核准。");
    assert_eq!(one("节约能源120万吨标准煤。").base_unit, "other");
    assert_eq!(one("新增粮食产能50亿斤粮食。").base_unit, "other");
    assert_eq!(
        one("地区生产总值287.9亿元。").value_normalized,
        28790000000.0
    );
}

#[test]
fn not_metrics_group_names_and_years_in_lists() {
    none("Incomes of the top 1 percent rose.");
    none("One in 10 Americans still cannot find work.");
    let ms = found("The two years of growth in 1993 and 1994 averaged 6.0% a year.");
    assert_eq!(ms, vec![("6.0%".into(), 6.0, "percent".into())]);
    let ms = found("金融机构存、贷款余额分别翻1.37和1.40番。");
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[0], ("1.37".into(), 1.37, "doubling".into()));
}

#[test]
fn digits_typed_apart_and_words_ending_like_cues() {
    let m = one("1 9 9 7 年国内生产总值达到7 4 7 7 2 亿元。");
    assert_eq!((m.value_normalized, m.base_unit.as_str()), (74772e8, "CNY"));
    assert_eq!(one("农村居民人均纯收入年均实际增长5 .4 %。").value, 5.4);
    assert_eq!(one("我国缔结国际条约187个。").comparator, Comparator::Eq);
}

#[test]
fn ratios_are_left_out() {
    none("三次产业结构由23.4:36.5:40.1调整为18.3:45.3:36.4。");
}

#[test]
fn indicators() {
    let ms = run("地区生产总值由512.03亿元增加到1108.63亿元，年均增长13.5%。");
    assert!(
        ms.iter()
            .all(|m| m.indicator.as_deref() == Some("地区生产总值")),
        "{ms:?}"
    );
    let ms = run("城镇居民人均可支配收入、农民人均纯收入年均分别增长10%和12%以上。");
    assert_eq!(ms[0].indicator.as_deref(), Some("城镇居民人均可支配收入"));
    assert_eq!(ms[1].indicator.as_deref(), Some("农民人均纯收入"));
    assert_eq!(
        (ms[0].comparator, ms[1].comparator),
        (Comparator::Ge, Comparator::Ge)
    );
    let ms = run("城镇居民人均可支配收入、农民人均纯收入分别增长10%。");
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[1].indicator.as_deref(), Some("农民人均纯收入"));
    let ms =
        run("城镇居民人均可支配收入和农村居民人均纯收入分别达20600元、9400元，增长13.7%和20%。");
    let inds: Vec<_> = ms
        .iter()
        .map(|m| m.indicator.clone().unwrap_or_default())
        .collect();
    assert_eq!(inds[2], inds[0]);
    assert_eq!(inds[3], "农村居民人均纯收入");
    let m = one("今年拟安排财政赤字8000亿元。");
    assert_eq!(m.indicator.as_deref(), Some("财政赤字"));
    let m = one("全国财政性教育经费支出占国内生产总值的4%。");
    assert_eq!(m.indicator.as_deref(), Some("财政性教育经费支出"));
    let m = one("完成153座病险水库除险加固。");
    assert_eq!(m.indicator.as_deref(), Some("病险水库除险加固"));
    let m = one("GDP will grow by 7.5 percent.");
    assert_eq!(m.indicator.as_deref(), Some("GDP"));
}

#[test]
fn kinds_and_directions() {
    let m = one("财政收入增长18.6%。");
    assert_eq!((m.kind, m.direction), (Kind::Change, Some(Direction::Up)));
    let m = one("补助标准提高到每人每年240元。");
    assert_eq!((m.kind, m.direction), (Kind::Level, None));
    assert_eq!(one("新增城镇就业6万人。").kind, Kind::Level);
    let m = one("减少投资审批事项100项。");
    assert_eq!((m.kind, m.direction), (Kind::Change, Some(Direction::Down)));
    let ms = run("一、二、三产业分别增长2%、15%、13%。");
    assert!(ms.iter().all(|m| m.kind == Kind::Change), "{ms:?}");
    assert_eq!(ms[2].indicator.as_deref(), Some("三产业"));
    assert_eq!(one("提升农村公路技术等级3000公里以上。").kind, Kind::Level);
    let m = one("城镇登记失业率下降1个百分点。");
    assert_eq!(m.direction, Some(Direction::Down));
    assert_eq!(one("The economy grew by 2.5 percent.").kind, Kind::Change);
    assert_eq!(one("The rate rose to 5 percent.").kind, Kind::Level);
    assert_eq!(
        one("She raised $40,000 for the hospital.").kind,
        Kind::Level
    );
    assert_eq!(one("居民消费价格涨幅控制在4%左右。").kind, Kind::Change);
    assert_eq!(one("人口自然增长率控制在7‰以内。").kind, Kind::Level);
}

#[test]
fn comparators() {
    let cases = [
        ("新开工700万套以上。", Comparator::Ge),
        ("工业对财政贡献率超过50%。", Comparator::Gt),
        ("新建道路210多公里。", Comparator::Gt),
        ("失业率控制在4.6%以内。", Comparator::Le),
        ("覆盖率不到60%。", Comparator::Lt),
        ("价格涨幅控制在4%左右。", Comparator::Approx),
        ("投资约30亿元。", Comparator::Approx),
        ("It will raise at least $5 billion.", Comparator::Ge),
        ("It will cost more than $5 billion.", Comparator::Gt),
        ("Loans of up to $200 billion.", Comparator::Le),
        ("Unemployment will be 4.6 percent or lower.", Comparator::Le),
        ("It will cost about $5 billion.", Comparator::Approx),
    ];
    for (s, c) in cases {
        assert_eq!(one(s).comparator, c, "{s}");
    }
}

#[test]
fn modality_follows_sentence_cues_and_sections() {
    let ms = run_with(
        &ExtractConfig::default(),
        &[
            "一、2024年工作回顾",
            "地区生产总值增长13.5%。",
            "二、2025年主要工作",
            "地区生产总值增长7%。",
            "今年全市经济社会发展的主要预期目标是：财政收入增长8%。",
        ],
    );
    assert_eq!(ms[1][0].modality, Modality::Actual);
    assert_eq!(ms[3][0].modality, Modality::Target);
    assert_eq!(ms[4][0].modality, Modality::Target);
    // a report title naming 主要工作 opens no plan; a review gives way to the
    // year's goals even without a heading line
    let ms = run_with(
        &ExtractConfig::default(),
        &[
            "政府工作报告摘要 2024年 主要工作",
            "全省地区生产总值40153亿元，增长7.6%。",
            "一、过去五年工作回顾",
            "粮食产量达到4.9亿吨。",
            "今年国民经济宏观调控的主要目标是：经济增长速度8%。",
            "城镇新增就业1100万人以上。",
        ],
    );
    assert_eq!(ms[1][0].modality, Modality::Actual);
    assert_eq!(ms[3][0].modality, Modality::Actual);
    assert_eq!(ms[4][0].modality, Modality::Target);
    assert_eq!(ms[5][0].modality, Modality::Target);
    assert_eq!(
        one("GDP will grow by 7.5 percent.").modality,
        Modality::Target
    );
    assert_eq!(
        one("GDP grew by 7.5 percent last year.").modality,
        Modality::Actual
    );
    assert_eq!(one("力争完成投资250亿元。").modality, Modality::Target);
    let ms = run_with(
        &ExtractConfig::default(),
        &[
            "今后五年的奋斗目标：",
            "就是在2024年超万亿元的基础上翻一番。",
        ],
    );
    assert_eq!(
        (ms[1][0].modality, ms[1][1].modality),
        (Modality::Actual, Modality::Target)
    );
}

#[test]
fn metrics_are_left_to_right() {
    let ms = run("财政收入51.61亿元，增长18.6%，其中税收30亿元。");
    let starts: Vec<u32> = ms.iter().map(|m| m.char_start).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
    assert_eq!(ms.len(), 3);
}
