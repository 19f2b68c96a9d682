//! The page frame: side-bar navigation for the caller's role, a top bar with the
//! page title, language switch, the user and sign-out; and a bare frame for the
//! login and error pages.

use super::{nav, role_label, PageCtx};
use crate::assets::VERSION;
use crate::auth::csrf;
use crate::i18n::{Lang, Msg};
use maud::{html, Markup, DOCTYPE};

fn head(lang: Lang, title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · " (Msg::AppName.t(lang)) }
            link rel="icon" type="image/svg+xml" href="/static/favicon.svg";
            link rel="stylesheet" href={ "/static/app.css?v=" (VERSION) };
            script src={ "/static/app.js?v=" (VERSION) } defer {}
        }
    }
}

fn brand(lang: Lang) -> Markup {
    html! {
        div.brand {
            span.logo { "呼" }
            span { (Msg::AppName.t(lang)) small { (Msg::AppTagline.t(lang)) } }
        }
    }
}

/// The `?lang=` link to the other language, keeping the current path.
fn lang_switch(lang: Lang, path: &str) -> Markup {
    let other = lang.other();
    html! {
        a.lang href={ (path) "?lang=" (other.code()) } hreflang=(other.code()) data-lang=(other.code()) {
            (Msg::SwitchLang.t(lang))
        }
    }
}

/// A full back-office page.
pub fn page(ctx: &PageCtx, title: &str, body: Markup) -> Markup {
    let lang = ctx.lang;
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (head(lang, title))
            body {
                div.shell {
                    aside.side {
                        (brand(lang))
                        nav.nav {
                            @for (section, items) in nav::for_role(ctx.who.role) {
                                @if let Some(h) = section.heading() { div.nav-section { (h.t(lang)) } }
                                @for item in items {
                                    a href=(item.href) class=[nav::is_active(item.href, &ctx.path).then_some("active")] {
                                        (item.label.t(lang))
                                    }
                                }
                            }
                        }
                    }
                    div.main {
                        header.topbar {
                            h1 { (title) }
                            div.who {
                                (lang_switch(lang, &ctx.path))
                                span { strong { (ctx.who.display) } " · " (role_label(ctx.who.role).t(lang)) }
                                form method="post" action="/logout" class="inline" {
                                    input type="hidden" name=(csrf::FIELD) value=(ctx.who.csrf());
                                    button.link type="submit" { (Msg::Logout.t(lang)) }
                                }
                            }
                        }
                        main.content { (body) }
                    }
                }
            }
        }
    }
}

/// A page without navigation (login, errors).
pub fn bare(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (head(lang, title))
            body { div.center { (body) } }
        }
    }
}

/// The language switch for bare pages.
pub fn bare_lang_switch(lang: Lang, path: &str) -> Markup {
    lang_switch(lang, path)
}
