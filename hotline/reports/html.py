def render_html(stats, company=""):
    return ""
