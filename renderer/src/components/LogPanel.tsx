import type { ReactNode } from 'react';

/** A titled panel holding a scrolling log table (newest first), or a hint when it has no rows to show. */
export function LogPanel(props: {
  id: string;
  title: string;
  /** Beside the title, e.g. a filter. */
  controls?: ReactNode;
  /** Shown instead of the table when set. */
  empty: string | null;
  /** The header cells. */
  columns: ReactNode;
  /** The body rows. */
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <section className="panel" aria-labelledby={props.id}>
      <div className="panel-head">
        <h3 id={props.id}>{props.title}</h3>
        {props.controls}
      </div>
      {props.empty !== null ? (
        <p className="hint">{props.empty}</p>
      ) : (
        <div className="table-wrap log">
          <table className="table" aria-labelledby={props.id}>
            <thead>
              <tr>{props.columns}</tr>
            </thead>
            <tbody>{props.children}</tbody>
          </table>
        </div>
      )}
      {props.footer}
    </section>
  );
}
