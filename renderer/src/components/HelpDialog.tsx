import { Dialog } from './Dialog';

const SHORTCUTS: [string, string][] = [
  ['?', 'Show or hide this help'],
  ['Esc', 'Close the open dialog'],
  ['Tab / Shift+Tab', 'Move between controls'],
  ['↓ in the attach search box', 'Move into the process list'],
  ['↑ / ↓ in the process list', 'Move between processes'],
  ['Space', 'Select or unselect the process (or toggle the focused control)'],
  ['Enter in the process list', 'Attach the selected processes'],
];

export function HelpDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="table shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-buttons">
        <button type="button" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </Dialog>
  );
}
