//! A self-contained SVG chart: the replayed price on top, each trader's Maint health below,
//! liquidations marked.

pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

const COLORS: [&str; 8] =
    ["#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

fn polyline(values: &[f64], x0: f64, w: f64, y0: f64, h: f64, lo: f64, hi: f64) -> String {
    let n = values.len().max(2) - 1;
    let span = if hi > lo { hi - lo } else { 1.0 };
    values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", x0 + w * i as f64 / n as f64, y0 + h - h * (v - lo) / span))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `times` labels the x axis; `liquidations` are (step, trader index) pairs.
pub fn render(
    title: &str,
    times: &[String],
    price_name: &str,
    prices: &[f64],
    health: &[Series],
    liquidations: &[(usize, usize)],
) -> String {
    let (width, x0, w) = (1100.0, 80.0, 900.0);
    let (p_y, p_h, h_y, h_h) = (50.0, 200.0, 300.0, 280.0);
    let p_lo = prices.iter().cloned().fold(f64::INFINITY, f64::min);
    let p_hi = prices.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let all: Vec<f64> = health.iter().flat_map(|s| s.values.iter().cloned()).collect();
    let h_lo = all.iter().cloned().fold(0.0, f64::min);
    let h_hi = all.iter().cloned().fold(0.0, f64::max);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"640\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{x0}\" y=\"25\" font-size=\"16\">{title}</text>\n"
    );
    // price panel
    svg += &format!(
        "<rect x=\"{x0}\" y=\"{p_y}\" width=\"{w}\" height=\"{p_h}\" fill=\"none\" stroke=\"#ccc\"/>\n"
    );
    svg += &format!("<text x=\"10\" y=\"{}\">{price_name} (USD)</text>\n", p_y + 12.0);
    svg += &format!(
        "<text x=\"10\" y=\"{}\">{p_hi:.2}</text><text x=\"10\" y=\"{}\">{p_lo:.2}</text>\n",
        p_y + 30.0,
        p_y + p_h
    );
    svg += &format!(
        "<polyline fill=\"none\" stroke=\"black\" stroke-width=\"1.5\" points=\"{}\"/>\n",
        polyline(prices, x0, w, p_y, p_h, p_lo, p_hi)
    );
    // health panel
    svg += &format!(
        "<rect x=\"{x0}\" y=\"{h_y}\" width=\"{w}\" height=\"{h_h}\" fill=\"none\" stroke=\"#ccc\"/>\n"
    );
    svg += &format!(
        "<text x=\"10\" y=\"{}\">Maint health</text><text x=\"10\" y=\"{}\">(USD)</text>\n",
        h_y + 12.0,
        h_y + 26.0
    );
    svg += &format!(
        "<text x=\"10\" y=\"{}\">{h_hi:.0}</text><text x=\"10\" y=\"{}\">{h_lo:.0}</text>\n",
        h_y + 44.0,
        h_y + h_h
    );
    let span = if h_hi > h_lo { h_hi - h_lo } else { 1.0 };
    let zero_y = h_y + h_h - h_h * (0.0 - h_lo) / span;
    svg += &format!(
        "<line x1=\"{x0}\" x2=\"{}\" y1=\"{zero_y:.1}\" y2=\"{zero_y:.1}\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>\n",
        x0 + w
    );
    for (i, s) in health.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        svg += &format!(
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{}\"/>\n",
            polyline(&s.values, x0, w, h_y, h_h, h_lo, h_hi)
        );
        svg += &format!(
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{}\" y=\"{}\">{}</text>\n",
            x0 + w + 10.0,
            h_y + 20.0 * i as f64,
            x0 + w + 24.0,
            h_y + 9.0 + 20.0 * i as f64,
            s.name
        );
    }
    let n = prices.len().max(2) - 1;
    for (step, trader) in liquidations {
        let x = x0 + w * *step as f64 / n as f64;
        let v = health.get(*trader).and_then(|s| s.values.get(*step)).copied().unwrap_or(0.0);
        let y = h_y + h_h - h_h * (v - h_lo) / span;
        svg += &format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n");
    }
    svg += &format!(
        "<text x=\"{}\" y=\"{}\">o liquidation</text>\n",
        x0 + w + 10.0,
        h_y + 20.0 * health.len() as f64 + 9.0
    );
    // time axis
    for k in 0..=4 {
        let i = (times.len().saturating_sub(1)) * k / 4;
        if let Some(t) = times.get(i) {
            let x = x0 + w * k as f64 / 4.0;
            svg += &format!(
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{t}</text>\n",
                x,
                h_y + h_h + 20.0
            );
        }
    }
    svg += "</svg>\n";
    svg
}

/// A bar series: its name (a model) and a value per category (a window).
pub type BarSeries = (String, Vec<f64>);

/// Grouped bars: one panel per metric, a group per category (window), a bar per series (model).
pub fn bars(title: &str, categories: &[String], panels: &[(&str, Vec<BarSeries>)]) -> String {
    let (width, x0, w, panel_h, gap) = (1100.0, 80.0, 900.0, 150.0, 60.0);
    let height = 60.0 + panels.len() as f64 * (panel_h + gap);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{x0}\" y=\"25\" font-size=\"16\">{title}</text>\n"
    );
    for (p, (name, series)) in panels.iter().enumerate() {
        let y0 = 50.0 + p as f64 * (panel_h + gap);
        let values = series.iter().flat_map(|s| s.1.iter().cloned());
        let hi = values.clone().fold(0.0f64, f64::max);
        let lo = values.fold(0.0f64, f64::min);
        let span = if hi > lo { hi - lo } else { 1.0 };
        let zero_y = y0 + panel_h * hi / span;
        svg += &format!("<text x=\"{x0}\" y=\"{}\">{name}</text>\n", y0 - 5.0);
        svg += &format!(
            "<rect x=\"{x0}\" y=\"{y0}\" width=\"{w}\" height=\"{panel_h}\" fill=\"none\" stroke=\"#ccc\"/>\n"
        );
        svg += &format!(
            "<line x1=\"{x0}\" y1=\"{zero_y:.1}\" x2=\"{}\" y2=\"{zero_y:.1}\" stroke=\"#999\"/>\n",
            x0 + w
        );
        svg += &format!(
            "<text x=\"10\" y=\"{}\">{hi:.1}</text><text x=\"10\" y=\"{}\">{lo:.1}</text>\n",
            y0 + 12.0,
            y0 + panel_h
        );
        let group_w = w / categories.len().max(1) as f64;
        let bar_w = group_w * 0.8 / series.len().max(1) as f64;
        for (c, category) in categories.iter().enumerate() {
            let gx = x0 + c as f64 * group_w + group_w * 0.1;
            for (s, (_, vals)) in series.iter().enumerate() {
                let v = vals.get(c).copied().unwrap_or(0.0);
                let top = zero_y - panel_h * v.max(0.0) / span;
                let h = panel_h * v.abs() / span;
                svg += &format!(
                    "<rect x=\"{:.1}\" y=\"{top:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{v:.2}</title></rect>\n",
                    gx + s as f64 * bar_w,
                    COLORS[s % COLORS.len()]
                );
            }
            if p + 1 == panels.len() {
                svg += &format!("<text x=\"{gx:.1}\" y=\"{}\">{category}</text>\n", y0 + panel_h + 15.0);
            }
        }
    }
    if let Some((_, series)) = panels.first() {
        for (s, (name, _)) in series.iter().enumerate() {
            svg += &format!(
                "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{name}</text>\n",
                x0 + w + 20.0,
                50.0 + s as f64 * 18.0,
                COLORS[s % COLORS.len()],
                x0 + w + 35.0,
                60.0 + s as f64 * 18.0
            );
        }
    }
    svg + "</svg>\n"
}
